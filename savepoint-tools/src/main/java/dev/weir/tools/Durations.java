package dev.weir.tools;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations and times as the commands take them (also {@code weir savepoint trigger|stop}). */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern ZONED = Pattern.compile("(Z|[+-]\\d{2}:\\d{2})$");

    private Durations() {}

    /**
     * {@code 500ms}, {@code 30s}, {@code 10m}, {@code 24h}, {@code 7d}, or ISO-8601 ({@code PT10M},
     * {@code P1D}); not negative.
     *
     * @throws ToolException refused, naming {@code option}, for anything else
     */
    public static Duration parse(String s, String option) {
        String t = s.strip();
        Duration d = null;
        try {
            Matcher m = SHORT.matcher(t.toLowerCase(Locale.ROOT));
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d =
                        switch (m.group(2)) {
                            case "ms" -> Duration.ofMillis(n);
                            case "s" -> Duration.ofSeconds(n);
                            case "m" -> Duration.ofMinutes(n);
                            case "h" -> Duration.ofHours(n);
                            default -> Duration.ofDays(n);
                        };
            } else {
                d = Duration.parse(t);
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            d = null;
        }
        if (d == null || d.isNegative()) {
            throw ToolException.refused(
                    option
                            + " must be a duration like 30s, 10m, 24h, 7d or PT10M; got '"
                            + s
                            + "'");
        }
        return d;
    }

    /**
     * A time as {@code kafka-consumer-groups --to-datetime} takes it: {@code
     * 2026-12-01T10:00:00.000}, in {@code zone} (the local time zone), or with an offset ({@code
     * Z}, {@code +01:00}).
     *
     * @throws ToolException refused for anything else
     */
    public static Instant datetime(String s, ZoneId zone) {
        String t = s.strip();
        try {
            return ZONED.matcher(t).find()
                    ? OffsetDateTime.parse(t).toInstant()
                    : LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw ToolException.refused(
                    "--to-datetime must look like 2026-12-01T10:00:00.000 (local time) or"
                            + " 2026-12-01T10:00:00.000Z / +01:00; got '"
                            + s
                            + "'");
        }
    }
}
