package dev.weir.internal.rest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little JSON the endpoint speaks: string literals out, and in, a request body that is one flat
 * object of string members ({@code {"dir": "s3://bucket/savepoints"}}).
 */
final class Json {
    private Json() {}

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** A string literal, or {@code null}. */
    static String quoteOrNull(String s) {
        return s == null ? "null" : quote(s);
    }

    /**
     * Parses {@code {"name": "value", …}}; a blank body is an empty object.
     *
     * @throws IllegalArgumentException saying what is wrong, for anything else (nested values,
     *     numbers, a repeated name)
     */
    static Map<String, String> parseFlatObject(String body) {
        Parser p = new Parser(body);
        Map<String, String> members = new LinkedHashMap<>();
        p.skipSpace();
        if (p.atEnd()) {
            return members;
        }
        p.expect('{');
        p.skipSpace();
        if (!p.consume('}')) {
            do {
                p.skipSpace();
                String name = p.string();
                p.skipSpace();
                p.expect(':');
                p.skipSpace();
                String value = p.string();
                if (members.put(name, value) != null) {
                    throw new IllegalArgumentException("member '" + name + "' appears twice");
                }
                p.skipSpace();
            } while (p.consume(','));
            p.expect('}');
        }
        p.skipSpace();
        if (!p.atEnd()) {
            throw new IllegalArgumentException("text after the object at offset " + p.pos);
        }
        return members;
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        void skipSpace() {
            while (!atEnd() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        boolean consume(char c) {
            if (!atEnd() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!consume(c)) {
                throw new IllegalArgumentException(
                        "expected '" + c + "' at offset " + pos + " (a flat object of strings)");
            }
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (!atEnd()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    if (atEnd()) {
                        break;
                    }
                    char e = s.charAt(pos++);
                    switch (e) {
                        case '"', '\\', '/' -> sb.append(e);
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            if (pos + 4 > s.length()) {
                                throw new IllegalArgumentException("short \\u escape");
                            }
                            try {
                                sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw new IllegalArgumentException("bad \\u escape at " + pos);
                            }
                            pos += 4;
                        }
                        default -> throw new IllegalArgumentException("bad escape \\" + e);
                    }
                } else if (c < 0x20) {
                    throw new IllegalArgumentException("control character in a string");
                } else {
                    sb.append(c);
                }
            }
            throw new IllegalArgumentException("unterminated string");
        }
    }
}
