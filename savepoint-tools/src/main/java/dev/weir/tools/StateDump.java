package dev.weir.tools;

import dev.weir.format.KeyGroupRange;
import dev.weir.format.OperatorSnapshot;
import dev.weir.format.StateInfo;
import dev.weir.format.StateKeys;
import dev.weir.format.SubtaskSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads the entries of one operator's keyed state and decodes them with the schemas its metadata
 * records: Weir's primitive serdes ({@code string:utf8}, {@code long:be64}, {@code int:be32}) as
 * text and numbers; anything else — bytes, Avro, a user's own serde — as base64. The record key's
 * serde is not recorded, so a key is shown as text when it is valid UTF-8 and always as base64.
 */
public final class StateDump {
    private StateDump() {}

    /** Which entries. */
    public record Filter(
            String operator,
            Optional<String> state,
            Optional<Integer> keyGroup,
            Optional<String> key,
            long limit) {}

    /** One entry, decoded. {@code userKey} only for map state; {@code value} is JSON-ready. */
    public record Entry(
            int keyGroup,
            String state,
            String kind,
            String key,
            String keyBase64,
            Object userKey,
            Object value) {}

    public static void dump(Snapshot snapshot, Filter filter, Path work, Consumer<Entry> out) {
        OperatorSnapshot op =
                snapshot.metadata()
                        .operator(filter.operator())
                        .orElseThrow(
                                () ->
                                        ToolException.refused(
                                                "no operator uid '"
                                                        + filter.operator()
                                                        + "' in "
                                                        + snapshot.location()
                                                        + " (uids: "
                                                        + snapshot.metadata().operators().stream()
                                                                .map(OperatorSnapshot::uid)
                                                                .toList()
                                                        + ")"));
        Map<String, StateInfo> states = new java.util.HashMap<>();
        op.states().forEach(s -> states.put(s.name(), s));
        filter.state()
                .ifPresent(
                        s -> {
                            if (!states.containsKey(s)) {
                                throw ToolException.refused(
                                        "operator "
                                                + op.uid()
                                                + " has no state '"
                                                + s
                                                + "' (states: "
                                                + states.keySet()
                                                + ")");
                            }
                        });
        int m = snapshot.metadata().maxParallelism();
        Optional<byte[]> wantedKey = filter.key().map(k -> k.getBytes(StandardCharsets.UTF_8));
        Optional<Integer> group =
                filter.keyGroup()
                        .or(() -> wantedKey.map(k -> dev.weir.format.KeyGroups.keyGroupFor(k, m)));
        long[] emitted = {0};
        for (SubtaskSnapshot s : op.subtasks()) {
            if (s.keyGroups().isEmpty()) {
                continue;
            }
            KeyGroupRange range = s.keyGroups().get();
            if (group.isPresent()) {
                if (!range.contains(group.get())) {
                    continue;
                }
                range = new KeyGroupRange(group.get(), group.get());
            }
            try (SubtaskState state = SubtaskState.fetch(snapshot, op.uid(), s, work)) {
                state.forEach(
                        range,
                        (kg, name, key, value) -> {
                            if (emitted[0] >= filter.limit()
                                    || filter.state().map(x -> !x.equals(name)).orElse(false)) {
                                return;
                            }
                            StateInfo info = states.get(name);
                            String kind = info == null ? StateKeys.VALUE : info.kind();
                            byte[] recordKey = StateKeys.recordKey(kind, key);
                            if (wantedKey.isPresent()
                                    && !Arrays.equals(wantedKey.get(), recordKey)) {
                                return;
                            }
                            emitted[0]++;
                            out.accept(
                                    new Entry(
                                            kg,
                                            name,
                                            kind,
                                            text(recordKey).orElse(null),
                                            Base64.getEncoder().encodeToString(recordKey),
                                            StateKeys.MAP.equals(kind)
                                                    ? decode(
                                                            info.keySchema().orElse(""),
                                                            StateKeys.userKey(key))
                                                    : null,
                                            decodeValue(info, kind, value)));
                        });
            }
            if (emitted[0] >= filter.limit()) {
                return;
            }
        }
    }

    private static Object decodeValue(StateInfo info, String kind, byte[] value) {
        String schema = info == null ? "" : info.valueSchema();
        if (StateKeys.LIST.equals(kind)) {
            List<Object> elements = new ArrayList<>();
            for (byte[] e : StateKeys.listElements(value)) {
                elements.add(decode(schema, e));
            }
            return elements;
        }
        return decode(schema, value);
    }

    /** A value in the encoding its schema names; base64 for schemas this tool cannot read. */
    static Object decode(String schema, byte[] bytes) {
        if (schema.equals(StateKeys.TIMER_KEY_SCHEMA) && bytes.length == 8) {
            return StateKeys.timerTimestamp(bytes);
        }
        if (schema.equals(StateKeys.TIMER_VALUE_SCHEMA) && bytes.length == 0) {
            return null;
        }
        switch (schema) {
            case "string:utf8":
                return new String(bytes, StandardCharsets.UTF_8);
            case "long:be64":
                if (bytes.length == 8) {
                    return ByteBuffer.wrap(bytes).getLong();
                }
                break;
            case "int:be32":
                if (bytes.length == 4) {
                    return ByteBuffer.wrap(bytes).getInt();
                }
                break;
            default:
                break;
        }
        return Map.of("base64", Base64.getEncoder().encodeToString(bytes));
    }

    private static Optional<String> text(byte[] bytes) {
        try {
            String s =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString();
            return s.chars().allMatch(c -> c >= 0x20 || c == '\t')
                    ? Optional.of(s)
                    : Optional.empty();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
