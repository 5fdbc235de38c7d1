package dev.weir.kafka;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The offset metadata that names a committed checkpoint in the job's consumer group: {@code
 * weir.chk=<n>}, and with exactly-once output {@code weir.chk=<n>@<incarnation>} — the attempt that
 * wrote checkpoint n, so a restore can check that {@code chk-n/_metadata} is that attempt's and not
 * one a paused, superseded process wrote under the same id (docs/architecture.md §4). The one place
 * this encoding is written and read.
 */
record CommitTag(long checkpointId, String incarnation) {
    private static final Pattern TAG = Pattern.compile("weir\\.chk=(\\d+)(?:@([0-9A-Za-z-]+))?");

    static CommitTag of(long checkpointId, String incarnation) {
        return new CommitTag(checkpointId, incarnation);
    }

    /** The tag in an offset's metadata, if it is one of Weir's. */
    static Optional<CommitTag> parse(String metadata) {
        if (metadata == null) {
            return Optional.empty();
        }
        Matcher m = TAG.matcher(metadata);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(
                new CommitTag(Long.parseLong(m.group(1)), m.group(2) == null ? "" : m.group(2)));
    }

    /** The offset metadata. */
    String encode() {
        return "weir.chk=" + checkpointId + (incarnation.isEmpty() ? "" : "@" + incarnation);
    }
}
