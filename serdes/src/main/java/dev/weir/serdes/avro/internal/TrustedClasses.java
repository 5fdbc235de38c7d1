package dev.weir.serdes.avro.internal;

import java.util.HashSet;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro (1.11.4+) loads a generated class by name only if {@link ClassSecurityValidator} trusts it:
 * by default the classes of {@code java.*} and those listed in the system properties {@code
 * org.apache.avro.SERIALIZABLE_PACKAGES} / {@code SERIALIZABLE_CLASSES}. That guards against
 * schemas from elsewhere naming arbitrary classes. A user who hands {@code
 * AvroRecordSerde.specific(Payment.class)} a class has decided to trust it, so that factory adds
 * exactly the generated classes of that class's own compiled schema (not the registry's) to the
 * JVM-wide predicate — Avro offers no per-reader setting. {@code specific.avro.reader=true}, where
 * the class name comes from the writer schema, adds nothing: there the system properties decide.
 */
public final class TrustedClasses {
    private TrustedClasses() {}

    private static final Set<String> TRUSTED = new HashSet<>();

    /** Trusts {@code type} and the generated classes its schema refers to. */
    public static synchronized void trust(Class<?> type) {
        Set<String> names = new HashSet<>();
        collect(SpecificData.get().getSchema(type), names, new HashSet<>());
        names.removeIf(TRUSTED::contains);
        if (names.isEmpty()) {
            return;
        }
        TRUSTED.addAll(names);
        Set<String> snapshot = Set.copyOf(TRUSTED);
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(
                ClassSecurityValidator.composite(previous, c -> snapshot.contains(c.getName())));
    }

    private static void collect(Schema schema, Set<String> names, Set<Schema> seen) {
        if (!seen.add(schema)) {
            return;
        }
        switch (schema.getType()) {
            case RECORD -> {
                names.add(SpecificData.getClassName(schema));
                schema.getFields().forEach(f -> collect(f.schema(), names, seen));
            }
            case ENUM, FIXED -> names.add(SpecificData.getClassName(schema));
            case ARRAY -> collect(schema.getElementType(), names, seen);
            case MAP -> collect(schema.getValueType(), names, seen);
            case UNION -> schema.getTypes().forEach(t -> collect(t, names, seen));
            default -> {}
        }
    }
}
