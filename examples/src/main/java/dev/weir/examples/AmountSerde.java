package dev.weir.examples;

import dev.weir.Serde;
import dev.weir.WeirException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the integer field {@code amount} of a JSON object (other fields are ignored). A value
 * without it, or not an object, is rejected — the source then names the record's topic, partition
 * and offset.
 */
public final class AmountSerde implements Serde<Long> {
    @Override
    public byte[] serialize(Long value) {
        return ("{\"amount\":" + value + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Long deserialize(byte[] bytes) {
        return parseAmount(bytes);
    }

    /**
     * Scans the UTF-8 bytes directly: every JSON structural character is ASCII, and no byte of a
     * multi-byte UTF-8 character is below 0x80. Allocates nothing unless the value is rejected.
     */
    static long parseAmount(byte[] b) {
        int start = 0;
        int end = b.length;
        while (start < end && (b[start] & 0xff) <= ' ') {
            start++;
        }
        while (end > start && (b[end - 1] & 0xff) <= ' ') {
            end--;
        }
        if (end - start < 2 || b[start] != '{' || b[end - 1] != '}') {
            throw new WeirException("value is not a JSON object: " + abbreviate(b));
        }
        int depth = 0;
        boolean inString = false;
        for (int i = start + 1; i < end - 1; i++) {
            byte c = b[i];
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            } else if (c == '"') {
                if (depth == 0 && Arrays.equals(b, i, i + KEY.length, KEY, 0, KEY.length)) {
                    return readNumberAfterColon(b, i + KEY.length, end);
                }
                inString = true;
            }
        }
        throw new WeirException("JSON object has no field \"amount\": " + abbreviate(b));
    }

    private static final byte[] KEY = "\"amount\"".getBytes(StandardCharsets.US_ASCII);

    private static long readNumberAfterColon(byte[] b, int from, int end) {
        int i = skipWhitespace(b, from, end);
        if (i >= end || b[i] != ':') {
            throw new WeirException("malformed JSON near \"amount\": " + abbreviate(b));
        }
        i = skipWhitespace(b, i + 1, end);
        boolean negative = i < end && b[i] == '-';
        if (negative) {
            i++;
        }
        int digits = i;
        // Accumulated negatively, so that Long.MIN_VALUE fits.
        long value = 0;
        try {
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                value = Math.subtractExact(Math.multiplyExact(value, 10), b[i] - '0');
                i++;
            }
            if (i == digits) {
                throw new ArithmeticException("no digits");
            }
            return negative ? value : Math.negateExact(value);
        } catch (ArithmeticException e) {
            throw new WeirException("\"amount\" is not an integer: " + abbreviate(b));
        }
    }

    private static int skipWhitespace(byte[] b, int i, int end) {
        while (i < end && b[i] >= 0 && Character.isWhitespace((char) b[i])) {
            i++;
        }
        return i;
    }

    private static String abbreviate(byte[] b) {
        return abbreviate(new String(b, StandardCharsets.UTF_8).trim());
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    @Override
    public String schema() {
        return "json:{amount:long}";
    }
}
