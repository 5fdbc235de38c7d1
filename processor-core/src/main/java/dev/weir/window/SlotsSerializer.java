package dev.weir.window;

import dev.weir.StateSerializer;
import dev.weir.WeirException;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The bytes of {@link WindowSlots}, format 2: the largest window timer that fired for the key (8
 * bytes, big-endian, two's complement; {@code Long.MIN_VALUE} for none), the number of windows
 * (unsigned varint), then per window in start order its start (8 bytes, big-endian, two's
 * complement), its length {@code end - start} (unsigned varint), and its accumulator: an unsigned
 * varint of 0 for none, else the length of the accumulator's bytes plus one, followed by those
 * bytes. Its schema, {@code weir.window.slots/2[<accumulator schema>]}, names the accumulator's
 * serializer, so an accumulator's migration is its serializer's own; another format is rejected by
 * name. (Format 1, of pre-release builds, kept the fired timer in a state of its own.)
 */
final class SlotsSerializer implements StateSerializer<WindowSlots> {
    static final String FORMAT = "weir.window.slots/2";

    /** The accumulator schema of windows that keep no accumulator. */
    static final String NO_ACCUMULATOR = "none";

    private final StateSerializer<Object> accSerde;
    private final String schema;

    @SuppressWarnings("unchecked")
    SlotsSerializer(StateSerializer<?> accSerde) {
        this.accSerde = (StateSerializer<Object>) accSerde;
        this.schema = FORMAT + "[" + (accSerde == null ? NO_ACCUMULATOR : accSerde.schema()) + "]";
    }

    @Override
    public byte[] serialize(WindowSlots slots) {
        int n = slots.size();
        byte[][] accs = new byte[n][];
        int total = 8 + Varint.length(n);
        for (int i = 0; i < n; i++) {
            accs[i] = slots.accumulatorBytes(i, accSerde);
            int tag = accs[i] == null ? 0 : accs[i].length + 1;
            total +=
                    8
                            + Varint.length(slots.end(i) - slots.start(i))
                            + Varint.length(tag)
                            + (tag == 0 ? 0 : tag - 1);
        }
        byte[] out = new byte[total];
        int p = Varint.writeFixed64(slots.firedUpTo(), out, 0);
        p = Varint.write(n, out, p);
        for (int i = 0; i < n; i++) {
            long s = slots.start(i);
            p = Varint.writeFixed64(s, out, p);
            p = Varint.write(slots.end(i) - s, out, p);
            if (accs[i] == null) {
                p = Varint.write(0, out, p);
            } else {
                p = Varint.write(accs[i].length + 1L, out, p);
                System.arraycopy(accs[i], 0, out, p, accs[i].length);
                p += accs[i].length;
            }
        }
        return out;
    }

    @Override
    public WindowSlots deserialize(byte[] bytes) {
        return read(bytes, null);
    }

    /** Reads {@code bytes}, passing each accumulator's bytes through {@code migrate} if given. */
    private static WindowSlots read(byte[] bytes, UnaryOperator<byte[]> migrate) {
        try {
            Varint.Reader r = new Varint.Reader(bytes);
            long fired = r.fixed64();
            int n = Math.toIntExact(r.next());
            WindowSlots slots = new WindowSlots(n + 1);
            slots.firedUpTo(fired);
            for (int i = 0; i < n; i++) {
                long start = r.fixed64();
                long end = start + r.next();
                long tag = r.next();
                byte[] acc = tag == 0 ? null : r.bytes(Math.toIntExact(tag - 1));
                if (acc != null && migrate != null) {
                    acc = migrate.apply(acc);
                }
                slots.appendRaw(start, end, acc);
            }
            r.expectEnd();
            return slots;
        } catch (RuntimeException e) {
            throw new WeirException("unreadable window state (" + FORMAT + "): " + e, e);
        }
    }

    @Override
    public String schema() {
        return schema;
    }

    /**
     * Bytes of an older accumulator schema are rewritten by the accumulator serializer's own
     * migration; a format other than 2 is rejected.
     */
    @Override
    public Optional<UnaryOperator<byte[]>> migrationFrom(String writerSchema) {
        if (!writerSchema.startsWith(FORMAT + "[") || !writerSchema.endsWith("]")) {
            throw new WeirException(
                    "window state of schema '"
                            + writerSchema
                            + "' is not in format "
                            + FORMAT
                            + ", the only one this version reads"
                            + (writerSchema.startsWith("weir.window.slots/1[")
                                    ? " (format 1, of pre-release builds, kept the fired windows"
                                            + " of each key in a state of its own, which this"
                                            + " version does not read: without it a fired window"
                                            + " could fire again)"
                                    : ""));
        }
        String oldAcc = writerSchema.substring(FORMAT.length() + 1, writerSchema.length() - 1);
        if (accSerde == null || oldAcc.equals(accSerde.schema())) {
            return Optional.empty();
        }
        Optional<UnaryOperator<byte[]>> accMigration = accSerde.migrationFrom(oldAcc);
        if (accMigration.isEmpty()) {
            return Optional.empty();
        }
        UnaryOperator<byte[]> m = accMigration.get();
        return Optional.of(bytes -> serialize(read(bytes, m)));
    }
}
