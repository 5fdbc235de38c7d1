package dev.weir.serdes.avro.internal;

import dev.weir.WeirException;

/**
 * The Confluent Schema Registry wire format, the one place it is written and read: magic byte
 * {@code 0}, the schema id as 4 bytes big-endian, then the payload (Avro binary).
 */
public final class WireFormat {
    private WireFormat() {}

    /** The only magic byte of the format. */
    public static final byte MAGIC = 0;

    /** Bytes before the payload: magic byte and schema id. */
    public static final int HEADER_LENGTH = 5;

    /** The 5 header bytes for {@code schemaId}. */
    public static byte[] header(int schemaId) {
        return new byte[] {
            MAGIC,
            (byte) (schemaId >>> 24),
            (byte) (schemaId >>> 16),
            (byte) (schemaId >>> 8),
            (byte) schemaId
        };
    }

    /**
     * The schema id in the header of {@code data}, a record of {@code topic}.
     *
     * @throws WeirException if {@code data} is shorter than the header or its magic byte is not 0:
     *     not in this format, a poison record
     */
    public static int schemaId(byte[] data, String topic) {
        if (data.length < HEADER_LENGTH) {
            throw new WeirException(
                    "record of topic '"
                            + topic
                            + "' is not in the Confluent wire format: "
                            + data.length
                            + " bytes, less than the "
                            + HEADER_LENGTH
                            + " of magic byte and schema id");
        }
        if (data[0] != MAGIC) {
            throw new WeirException(
                    String.format(
                            "record of topic '%s' is not in the Confluent wire format: magic byte"
                                    + " 0x%02x, expected 0x00 (magic byte 0, 4-byte schema id,"
                                    + " Avro binary)",
                            topic, data[0] & 0xff));
        }
        return ((data[1] & 0xff) << 24)
                | ((data[2] & 0xff) << 16)
                | ((data[3] & 0xff) << 8)
                | (data[4] & 0xff);
    }
}
