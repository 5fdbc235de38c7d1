package dev.weir.window;

import dev.weir.StateSerializer;
import dev.weir.WeirException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A record kept by a window that keeps its elements: its timestamp, which says which of the key's
 * windows it is in, and its value. An element of state {@value Windows#ELEMENTS_STATE}.
 */
record Element<V>(long timestamp, V value) {
    /**
     * Format 1: the timestamp (8 bytes, big-endian), then the value's bytes. Schema {@code
     * weir.window.element/1[<value schema>]}; a value's migration is its serializer's own.
     */
    static final class Serializer<V> implements StateSerializer<Element<V>> {
        static final String FORMAT = "weir.window.element/1";

        private final StateSerializer<V> valueSerde;

        Serializer(StateSerializer<V> valueSerde) {
            this.valueSerde = valueSerde;
        }

        @Override
        public byte[] serialize(Element<V> e) {
            byte[] v = valueSerde.serialize(e.value());
            byte[] out = new byte[8 + v.length];
            Varint.writeFixed64(e.timestamp(), out, 0);
            System.arraycopy(v, 0, out, 8, v.length);
            return out;
        }

        @Override
        public Element<V> deserialize(byte[] bytes) {
            if (bytes.length < 8) {
                throw new WeirException(
                        "a window element needs at least 8 bytes, got " + bytes.length);
            }
            long ts = new Varint.Reader(bytes).fixed64();
            return new Element<>(
                    ts, valueSerde.deserialize(Arrays.copyOfRange(bytes, 8, bytes.length)));
        }

        @Override
        public String schema() {
            return FORMAT + "[" + valueSerde.schema() + "]";
        }

        @Override
        public Optional<UnaryOperator<byte[]>> migrationFrom(String writerSchema) {
            if (!writerSchema.startsWith(FORMAT + "[") || !writerSchema.endsWith("]")) {
                throw new WeirException(
                        "window elements of schema '"
                                + writerSchema
                                + "' are not in format "
                                + FORMAT
                                + ", the only one this version reads");
            }
            String old = writerSchema.substring(FORMAT.length() + 1, writerSchema.length() - 1);
            if (old.equals(valueSerde.schema())) {
                return Optional.empty();
            }
            return valueSerde
                    .migrationFrom(old)
                    .map(
                            m ->
                                    bytes -> {
                                        byte[] v =
                                                m.apply(Arrays.copyOfRange(bytes, 8, bytes.length));
                                        byte[] out = Arrays.copyOf(bytes, 8 + v.length);
                                        System.arraycopy(v, 0, out, 8, v.length);
                                        return out;
                                    });
        }
    }
}
