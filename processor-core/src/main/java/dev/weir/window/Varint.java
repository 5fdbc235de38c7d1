package dev.weir.window;

/** Unsigned LEB128 varints and fixed big-endian longs, for the window state formats. */
final class Varint {
    private Varint() {}

    static int length(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Writes {@code v} at {@code pos}; returns the position after it. */
    static int write(long v, byte[] out, int pos) {
        while ((v & ~0x7FL) != 0) {
            out[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        return pos;
    }

    /** Writes {@code v} at {@code pos} as 8 bytes, big-endian; returns the position after it. */
    static int writeFixed64(long v, byte[] out, int pos) {
        for (int b = 7; b >= 0; b--) {
            out[pos++] = (byte) (v >>> (8 * b));
        }
        return pos;
    }

    /** Reads a byte array front to back; throws {@link IllegalArgumentException} past its end. */
    static final class Reader {
        private final byte[] bytes;
        private int pos;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        long next() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = take();
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint longer than 10 bytes at " + pos);
        }

        long fixed64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (take() & 0xFF);
            }
            return v;
        }

        byte[] bytes(int n) {
            if (n < 0 || n > bytes.length - pos) {
                throw new IllegalArgumentException(
                        n + " bytes wanted at " + pos + " of " + bytes.length);
            }
            byte[] b = java.util.Arrays.copyOfRange(bytes, pos, pos + n);
            pos += n;
            return b;
        }

        void expectEnd() {
            if (pos != bytes.length) {
                throw new IllegalArgumentException(
                        (bytes.length - pos) + " trailing bytes after " + pos);
            }
        }

        private byte take() {
            if (pos >= bytes.length) {
                throw new IllegalArgumentException("truncated at " + pos);
            }
            return bytes[pos++];
        }
    }
}
