package dev.weir.tools;

import java.util.zip.CRC32;

/**
 * CRC-32 (the JDK's {@link CRC32}, as checkpoint metadata records it) of a file assembled from
 * pieces written out of order: the CRC of a concatenation follows from the CRCs and lengths of its
 * parts. The offline rescale writes sections of several old files into a new one in parallel and
 * gets the new file's checksum without reading it back.
 */
final class Crc32s {
    /** The CRC-32 polynomial, reflected. */
    private static final int POLY = 0xEDB88320;

    private Crc32s() {}

    /** CRC-32 of {@code bytes}. */
    static int of(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /**
     * CRC-32 of {@code A || B}, given {@code crcA} = CRC-32 of A, {@code crcB} of B and B's length.
     *
     * <p>A CRC is linear over GF(2): appending n zero bytes to A maps crcA through a fixed 32×32
     * bit matrix (the n-th power of the one-zero-bit operator), and the CRC of {@code A || B} is
     * that image XOR crcB. The power is built by repeated squaring, so the cost is O(log n) matrix
     * products, whatever the length.
     */
    static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB <= 0) {
            return crcA;
        }
        int[] odd = new int[32]; // operator for one zero bit, then for odd powers of two
        int[] even = new int[32];
        odd[0] = POLY;
        int row = 1;
        for (int n = 1; n < 32; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four zero bits
        int crc = crcA;
        long len = lengthB;
        // The first squaring below gives the operator for one zero byte (eight bits).
        do {
            square(even, odd);
            if ((len & 1) != 0) {
                crc = times(even, crc);
            }
            len >>>= 1;
            if (len == 0) {
                break;
            }
            square(odd, even);
            if ((len & 1) != 0) {
                crc = times(odd, crc);
            }
            len >>>= 1;
        } while (len != 0);
        return crc ^ crcB;
    }

    private static int times(int[] matrix, int vector) {
        int sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(int[] result, int[] matrix) {
        for (int n = 0; n < 32; n++) {
            result[n] = times(matrix, matrix[n]);
        }
    }
}
