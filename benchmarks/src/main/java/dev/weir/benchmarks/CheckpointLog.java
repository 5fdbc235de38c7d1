package dev.weir.benchmarks;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Weir child logs, parsed from its log text: the completed-checkpoint lines of {@code
 * CheckpointCoordinator} and the time of day of start-up milestones. Log lines start with {@code
 * HH:mm:ss.SSS} (Weir's launcher logging configuration).
 */
final class CheckpointLog {
    private static final Pattern COMPLETED =
            Pattern.compile(
                    "checkpoint (\\d+) completed in (\\d+) ms, (\\d+) bytes, alignment (\\d+) ms,"
                            + " sync pause (\\d+) ms, commit (\\d+) ms");

    /** One completed checkpoint as logged. */
    record Completed(
            long id,
            long durationMillis,
            long bytes,
            long alignmentMillis,
            long syncPauseMillis,
            long commitMillis) {}

    private CheckpointLog() {}

    /** The completed checkpoints in {@code logText}, in log order. */
    static List<Completed> completed(String logText) {
        List<Completed> result = new ArrayList<>();
        Matcher m = COMPLETED.matcher(logText);
        while (m.find()) {
            result.add(
                    new Completed(
                            Long.parseLong(m.group(1)),
                            Long.parseLong(m.group(2)),
                            Long.parseLong(m.group(3)),
                            Long.parseLong(m.group(4)),
                            Long.parseLong(m.group(5)),
                            Long.parseLong(m.group(6))));
        }
        return result;
    }

    /**
     * The time from {@code start} until the first line containing {@code fragment} was logged, if
     * there is one (to the log's millisecond; a run across midnight is not handled).
     */
    static Optional<Duration> timeOf(String logText, String fragment, LocalTime start) {
        for (String line : logText.lines().toList()) {
            if (line.contains(fragment) && line.length() >= 12) {
                try {
                    LocalTime t = LocalTime.parse(line.substring(0, 12));
                    return Optional.of(Duration.between(start, t));
                } catch (DateTimeParseException e) {
                    // not a log line of the expected layout (e.g. stdout progress); keep looking
                }
            }
        }
        return Optional.empty();
    }
}
