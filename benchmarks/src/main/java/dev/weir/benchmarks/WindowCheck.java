package dev.weir.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/**
 * Verifies a windowed aggregate's output against a {@link WindowModel}: every expected (key,
 * window) exactly once, its value exactly {@link WindowSpec#json} with the model's count and sum.
 * Output timestamps are not looked at. Outputs of the flush keys are counted apart and not checked.
 * Fed on the reader's thread; {@link #verify} is called after the reader stopped.
 */
final class WindowCheck implements BiConsumer<byte[], byte[]> {
    private static final String START_FIELD = "{\"window_start\":";

    private final WindowModel model;
    private final int[] seen;
    private long outputs;
    private long flushOutputs;
    private long unexpected;
    private long wrongValue;
    private String firstWrong;

    WindowCheck(WindowModel model) {
        this.model = model;
        this.seen = new int[model.expected()];
    }

    @Override
    public void accept(byte[] key, byte[] value) {
        outputs++;
        String k = key == null ? "(null key)" : new String(key, StandardCharsets.UTF_8);
        if (Workload.isFlushKey(k)) {
            flushOutputs++;
            return;
        }
        String v = value == null ? "(null value)" : new String(value, StandardCharsets.UTF_8);
        int i = model.find(keyIndex(k), windowStart(v));
        if (i < 0) {
            unexpected++;
            noteWrong(k + ": " + v + " is no expected window");
            return;
        }
        if (++seen[i] == 1 && !model.json(i).equals(v)) {
            wrongValue++;
            noteWrong(k + ": " + v + " instead of " + model.json(i));
        }
    }

    private void noteWrong(String what) {
        if (firstWrong == null) {
            firstWrong = what;
        }
    }

    private static int keyIndex(String key) {
        if (!key.startsWith("user-")) {
            return -1;
        }
        try {
            return Integer.parseInt(key, 5, key.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long windowStart(String value) {
        if (!value.startsWith(START_FIELD)) {
            return Long.MIN_VALUE;
        }
        int end = value.indexOf(',', START_FIELD.length());
        try {
            return Long.parseLong(value, START_FIELD.length(), end < 0 ? 0 : end, 10);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return Long.MIN_VALUE;
        }
    }

    /** Records read, flush-key outputs included. */
    long outputs() {
        return outputs;
    }

    long flushOutputs() {
        return flushOutputs;
    }

    /**
     * "OK", or "MISMATCH: " with the numbers of lost windows (expected, never seen), duplicated
     * outputs (beyond the first of a window) and wrong ones (unexpected key or window, or a wrong
     * value), and the first difference found.
     */
    String verify() {
        long lost = 0;
        long duplicated = 0;
        String firstLost = null;
        for (int i = 0; i < seen.length; i++) {
            if (seen[i] == 0) {
                lost++;
                if (firstLost == null) {
                    firstLost = model.describe(i);
                }
            } else {
                duplicated += seen[i] - 1;
            }
        }
        long wrong = unexpected + wrongValue;
        if (lost == 0 && duplicated == 0 && wrong == 0) {
            return "OK";
        }
        return "MISMATCH: "
                + lost
                + " lost, "
                + duplicated
                + " duplicated, "
                + wrong
                + " wrong of "
                + seen.length
                + " windows"
                + (firstWrong != null ? "; e.g. " + firstWrong : "")
                + (firstLost != null ? "; e.g. lost " + firstLost : "");
    }
}
