package dev.weir.format;

/** An inclusive, non-empty range of key groups {@code [start, end]}. */
public record KeyGroupRange(int start, int end) {
    public KeyGroupRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException(
                    "invalid key-group range [" + start + ", " + end + "]");
        }
    }

    public boolean contains(int keyGroup) {
        return keyGroup >= start && keyGroup <= end;
    }

    public int size() {
        return end - start + 1;
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + "]";
    }
}
