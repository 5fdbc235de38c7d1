package dev.weir.serdes.avro.internal;

import dev.weir.config.WeirConfig;
import dev.weir.serdes.avro.AvroSerdeOptions;
import dev.weir.serdes.avro.SubjectNameStrategy;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The Avro record serde's own settings, parsed and checked once in {@code configure}. */
public record SerdeSettings(
        boolean isKey,
        boolean autoRegister,
        boolean useLatestVersion,
        boolean latestCompatibilityStrict,
        boolean normalize,
        SubjectNameStrategy strategy,
        boolean specificReader) {

    /**
     * Reads {@link AvroSerdeOptions} from {@code configs} (values of any type, as their strings).
     *
     * @throws dev.weir.WeirException naming the key of a value that is not allowed
     */
    public static SerdeSettings parse(Map<String, ?> configs, boolean isKey) {
        WeirConfig config = WeirConfig.of(asStrings(configs));
        var strategyOption =
                isKey
                        ? AvroSerdeOptions.KEY_SUBJECT_NAME_STRATEGY
                        : AvroSerdeOptions.VALUE_SUBJECT_NAME_STRATEGY;
        return new SerdeSettings(
                isKey,
                config.get(AvroSerdeOptions.AUTO_REGISTER_SCHEMAS),
                config.get(AvroSerdeOptions.USE_LATEST_VERSION),
                config.get(AvroSerdeOptions.LATEST_COMPATIBILITY_STRICT),
                config.get(AvroSerdeOptions.NORMALIZE_SCHEMAS),
                SubjectNameStrategy.parse(strategyOption.key(), config.get(strategyOption)),
                config.get(AvroSerdeOptions.SPECIFIC_AVRO_READER));
    }

    /** {@code configs} with every value as a string (a list joined with commas), nulls dropped. */
    public static Map<String, String> asStrings(Map<String, ?> configs) {
        Map<String, String> values = new LinkedHashMap<>();
        configs.forEach(
                (key, value) -> {
                    if (value instanceof Collection<?> c) {
                        values.put(
                                key,
                                c.stream().map(String::valueOf).collect(Collectors.joining(",")));
                    } else if (value != null) {
                        values.put(key, String.valueOf(value));
                    }
                });
        return values;
    }
}
