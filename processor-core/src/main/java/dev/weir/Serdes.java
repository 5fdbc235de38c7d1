package dev.weir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Serdes of the JDK's basic types. Each is a {@link Serde}: a {@link StateSerializer} (for {@code
 * keyBy} and state descriptors) and a {@link RecordSerde} (for Kafka sources and sinks) at once.
 * Stateless singletons, deterministic.
 */
public final class Serdes {
    private Serdes() {}

    public static Serde<String> string() {
        return StringSerde.INSTANCE;
    }

    public static Serde<Long> longs() {
        return LongSerde.INSTANCE;
    }

    public static Serde<Integer> ints() {
        return IntSerde.INSTANCE;
    }

    public static Serde<byte[]> bytes() {
        return BytesSerde.INSTANCE;
    }

    private enum StringSerde implements Serde<String> {
        INSTANCE;

        @Override
        public byte[] serialize(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public String schema() {
            return "string:utf8";
        }
    }

    private enum LongSerde implements Serde<Long> {
        INSTANCE;

        @Override
        public byte[] serialize(Long value) {
            return ByteBuffer.allocate(8).putLong(value).array();
        }

        @Override
        public Long deserialize(byte[] bytes) {
            if (bytes.length != 8) {
                throw new WeirException("a long needs 8 bytes, got " + bytes.length);
            }
            return ByteBuffer.wrap(bytes).getLong();
        }

        @Override
        public String schema() {
            return "long:be64";
        }
    }

    private enum IntSerde implements Serde<Integer> {
        INSTANCE;

        @Override
        public byte[] serialize(Integer value) {
            return ByteBuffer.allocate(4).putInt(value).array();
        }

        @Override
        public Integer deserialize(byte[] bytes) {
            if (bytes.length != 4) {
                throw new WeirException("an int needs 4 bytes, got " + bytes.length);
            }
            return ByteBuffer.wrap(bytes).getInt();
        }

        @Override
        public String schema() {
            return "int:be32";
        }
    }

    private enum BytesSerde implements Serde<byte[]> {
        INSTANCE;

        @Override
        public byte[] serialize(byte[] value) {
            return value;
        }

        @Override
        public byte[] deserialize(byte[] bytes) {
            return bytes;
        }

        @Override
        public String schema() {
            return "bytes";
        }
    }
}
