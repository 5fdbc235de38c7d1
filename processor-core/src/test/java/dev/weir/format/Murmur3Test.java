package dev.weir.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Murmur3Test {

    @Test
    void emptyInputWithSeedZeroHashesToZero() {
        assertThat(Murmur3.hash32(new byte[0])).isZero();
    }

    /** Vectors of Guava's {@code Murmur3Hash32Test#testKnownEncodedStringInputs} (UTF-8). */
    @ParameterizedTest(name = "\"{1}\" -> {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "cfbda5d1 | k",
                "a167dbf3 | hell",
                "248bfa47 | hello",
                "3d41b97c | http://www.google.com/",
                "2e4ff723 | The quick brown fox jumps over the lazy dog",
                "b5a4be05 | ABCDefGHI\u0799",
                "fc5ba834 | 毎月１日,毎週月曜日",
            })
    void matchesPublishedVectorsOfUtf8Strings(String expectedHex, String input) {
        assertThat(Murmur3.hash32(input.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(HexFormat.fromHexDigits(expectedHex));
    }

    /** SMHasher / Wikipedia vectors for short keys, including every tail length. */
    @ParameterizedTest(name = "{1} seed {2} -> {0}")
    @CsvSource({
        "72661cf4, 21, 0",
        "a0f7b07a, 2143, 0",
        "7e4a8634, 214365, 0",
        "f55b516b, 21436587, 0",
        "514e28b7, 00, 0",
        "30f4c306, 0000, 0",
        "85f0b427, 000000, 0",
        "76293b50, ffffffff, 0",
        "514e28b7, '', 1",
        "81f16f39, '', ffffffff",
    })
    void matchesPublishedVectorsOfShortKeysAndSeeds(
            String expectedHex, String keyHex, String seedHex) {
        byte[] key = HexFormat.of().parseHex(keyHex);
        int seed = HexFormat.fromHexDigits(seedHex);
        assertThat(Murmur3.hash32(key, 0, key.length, seed))
                .isEqualTo(HexFormat.fromHexDigits(expectedHex));
    }

    /**
     * SMHasher's {@code VerificationTest}: hash keys {0}, {0,1}, ... {0..254} with seed 256-i,
     * concatenate the hashes little-endian, hash that with seed 0; the first four bytes must be
     * 0xB0F57EE3 for MurmurHash3_x86_32. Covers every tail length and many seeds.
     */
    @Test
    void passesTheSmhasherVerificationTest() {
        byte[] key = new byte[256];
        ByteBuffer hashes = ByteBuffer.allocate(4 * 256).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 256; i++) {
            key[i] = (byte) i;
            hashes.putInt(Murmur3.hash32(key, 0, i, 256 - i));
        }
        assertThat(Murmur3.hash32(hashes.array(), 0, 1024, 0)).isEqualTo(0xB0F57EE3);
    }

    @Test
    void tailsOfOneToThreeBytesAgreeWithAStraightforwardImplementation() {
        Random random = new Random(3);
        for (int n = 0; n < 5_000; n++) {
            int length = random.nextInt(3) + 1 + 4 * random.nextInt(4); // length mod 4 in {1, 2, 3}
            byte[] key = new byte[length];
            random.nextBytes(key);
            int seed = random.nextInt();
            assertThat(Murmur3.hash32(key, 0, length, seed))
                    .as("key %s seed %d", Arrays.toString(key), seed)
                    .isEqualTo(reference(key, seed));
        }
    }

    @Test
    void bytesWithTheHighBitSetAreNotSignExtended() {
        for (int length = 1; length <= 8; length++) {
            byte[] key = new byte[length];
            Arrays.fill(key, (byte) 0x80);
            key[length - 1] = (byte) 0xff;
            assertThat(Murmur3.hash32(key)).as("length %d", length).isEqualTo(reference(key, 0));
        }
    }

    @Test
    void hashOfASliceEqualsHashOfTheSliceCopied() {
        Random random = new Random(5);
        byte[] buffer = new byte[64];
        random.nextBytes(buffer);
        for (int offset = 0; offset < 8; offset++) {
            for (int length = 0; offset + length <= buffer.length; length++) {
                byte[] copy = Arrays.copyOfRange(buffer, offset, offset + length);
                assertThat(Murmur3.hash32(buffer, offset, length, 99))
                        .as("offset %d length %d", offset, length)
                        .isEqualTo(reference(copy, 99));
            }
        }
    }

    /** MurmurHash3_x86_32 written from the reference C code, in unsigned 32-bit arithmetic. */
    private static int reference(byte[] data, int seed) {
        final long mask = 0xffffffffL;
        long h = seed & mask;
        int blocks = data.length / 4;
        ByteBuffer le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < blocks; i++) {
            long k = le.getInt(4 * i) & mask;
            h ^= scramble(k);
            h = rotl(h, 13);
            h = (h * 5 + 0xe6546b64L) & mask;
        }
        long tail = 0;
        for (int i = data.length - 1; i >= 4 * blocks; i--) {
            tail = (tail << 8) | (data[i] & 0xff);
        }
        if (data.length % 4 != 0) {
            h ^= scramble(tail);
        }
        h ^= data.length;
        h ^= h >>> 16;
        h = (h * 0x85ebca6bL) & mask;
        h ^= h >>> 13;
        h = (h * 0xc2b2ae35L) & mask;
        h ^= h >>> 16;
        return (int) h;
    }

    private static long scramble(long k) {
        k = (k * 0xcc9e2d51L) & 0xffffffffL;
        k = rotl(k, 15);
        return (k * 0x1b873593L) & 0xffffffffL;
    }

    private static long rotl(long x, int r) {
        return ((x << r) | (x >>> (32 - r))) & 0xffffffffL;
    }
}
