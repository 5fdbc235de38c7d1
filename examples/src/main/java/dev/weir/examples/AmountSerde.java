package dev.weir.examples;

import dev.weir.Serde;
import dev.weir.WeirException;
import java.nio.charset.StandardCharsets;

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
        return parseAmount(new String(bytes, StandardCharsets.UTF_8));
    }

    static long parseAmount(String json) {
        String s = json.trim();
        if (!s.startsWith("{") || !s.endsWith("}")) {
            throw new WeirException("value is not a JSON object: " + abbreviate(s));
        }
        int depth = 0;
        boolean inString = false;
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
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
                if (depth == 0 && s.startsWith("\"amount\"", i)) {
                    return readNumberAfterColon(s, i + 8);
                }
                inString = true;
            }
        }
        throw new WeirException("JSON object has no field \"amount\": " + abbreviate(s));
    }

    private static long readNumberAfterColon(String s, int from) {
        int i = from;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        if (i >= s.length() || s.charAt(i) != ':') {
            throw new WeirException("malformed JSON near \"amount\": " + abbreviate(s));
        }
        i++;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        int start = i;
        if (i < s.length() && s.charAt(i) == '-') {
            i++;
        }
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        try {
            return Long.parseLong(s.substring(start, i));
        } catch (NumberFormatException e) {
            throw new WeirException("\"amount\" is not an integer: " + abbreviate(s));
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    @Override
    public String schema() {
        return "json:{amount:long}";
    }
}
