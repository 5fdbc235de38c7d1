package dev.weir.tools;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of long work on a terminal: key groups and bytes done, rate and time left, redrawn in
 * place on stderr at most five times a second. Silent when stderr is not a terminal or the user
 * asked for quiet; results always go to stdout, never here. Thread-safe.
 */
public final class Progress {
    private final PrintStream out;
    private final String what;
    private long totalUnits;
    private final long startNanos = System.nanoTime();
    private long units;
    private long bytes;
    private long lastDraw;

    private Progress(PrintStream out, String what, long totalUnits) {
        this.out = out;
        this.what = what;
        this.totalUnits = totalUnits;
    }

    /** Progress on stderr if it is a terminal and {@code quiet} is false; else none. */
    public static Progress forTerminal(String what, long totalUnits, boolean quiet) {
        return new Progress(
                quiet || System.console() == null ? null : System.err, what, totalUnits);
    }

    /** No progress at all. */
    public static Progress none() {
        return new Progress(null, "", 0);
    }

    /** Replaces the number of units the work is expected to take, once it is known. */
    public synchronized void expect(long units) {
        totalUnits = units;
    }

    /** One more unit (a key group) done, with the bytes it moved. */
    public void advance(long moreBytes) {
        advance(1, moreBytes);
    }

    /** More units and bytes done; several threads may call it. */
    public synchronized void advance(long moreUnits, long moreBytes) {
        units += moreUnits;
        bytes += moreBytes;
        long now = System.nanoTime();
        if (out != null && (now - lastDraw > 200_000_000L || units == totalUnits)) {
            lastDraw = now;
            double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
            double rate = bytes / seconds;
            double left = units == 0 ? 0 : seconds * (totalUnits - units) / units;
            out.printf(
                    Locale.ROOT,
                    "\r%s: %d/%d key groups, %.1f MB, %.1f MB/s, %.0f s left   ",
                    what,
                    units,
                    totalUnits,
                    bytes / 1e6,
                    rate / 1e6,
                    left);
            out.flush();
        }
    }

    /** Ends the line on the terminal. */
    public synchronized void done() {
        if (out != null) {
            out.println();
        }
    }
}
