package dev.weir.tools;

import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroupStateFile;
import dev.weir.format.KeyGroups;
import dev.weir.format.Murmur3;
import dev.weir.format.NativeState;
import dev.weir.format.StateInfo;
import dev.weir.format.StateKeys;
import dev.weir.spi.CheckpointStorage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;

/**
 * Rescale with a new max-parallelism, or from a checkpoint's RocksDB files: every entry moves to
 * the key group its record key hashes to (docs/savepoint-tools.md, "How rescale works"). Keys are
 * decoded, values only copied; a map state's user keys stay with their record key.
 *
 * <p>Two passes over the old entries and no scratch files:
 *
 * <ol>
 *   <li><b>count</b> — per old subtask, new key group and state, the entries and their bytes. That
 *       fixes where every entry goes in the new files, whose section headers, index and footer are
 *       then written at once;
 *   <li><b>write</b> — the old entries again, each appended through a bounded buffer to its run
 *       (old subtask, new key group, state), which is written straight to its place.
 * </ol>
 *
 * Each old subtask is read by a thread of its own in both passes; a canonical file read in place
 * has its CRC-32 checked in the first. New files' checksums are combined from their pieces' ({@link
 * Crc32s}). Memory: the counts plus at most {@link #BUFFER_BUDGET} of buffers per old subtask,
 * whatever the size of a key group.
 */
final class Rehash {
    private static final int CHUNK = 1 << 20;
    private static final long BUFFER_BUDGET = 32L << 20;
    private static final int MIN_BUFFER = 1 << 10;
    private static final int MAX_BUFFER = 256 << 10;

    private Rehash() {}

    /** The entries of one operator's old subtasks and what is known of their states. */
    private record Input(List<SubtaskState> old, List<StateInfo> states, int oldMax, String uid) {}

    /**
     * Receives an entry with the murmur3 hash of its record key (computed once, by the reader); its
     * value is readable only during the call.
     */
    @FunctionalInterface
    private interface EntrySink {
        void accept(int state, byte[] key, int hash, int valueLength, ValueBytes value)
                throws IOException;
    }

    /** The bytes of the value of the entry being visited. */
    @FunctionalInterface
    private interface ValueBytes {
        void copyTo(Run run) throws IOException;
    }

    /**
     * Writes the files {@code paths} (relative to {@code out}), one per range of {@code ranges} of
     * max-parallelism {@code newMax}; returns their references in the same order.
     */
    static List<FileRef> rehash(
            String uid,
            List<SubtaskState> old,
            List<StateInfo> states,
            int oldMax,
            int newMax,
            List<KeyGroupRange> ranges,
            List<String> paths,
            CheckpointStorage out,
            Path workDir,
            Progress progress,
            Parallel parallel) {
        Input input = new Input(old, states, oldMax, uid);
        int s = states.size();
        // counts[i][kg * s + state], bytes[i][kg * s + state]
        int[][] counts = new int[old.size()][newMax * s];
        long[][] bytes = new long[old.size()][newMax * s];
        List<Callable<Void>> countPasses = new ArrayList<>();
        for (int i = 0; i < old.size(); i++) {
            int in = i;
            countPasses.add(
                    () -> {
                        scan(
                                input,
                                in,
                                true,
                                newMax,
                                (kg, state, key, length, value) -> {
                                    counts[in][kg * s + state]++;
                                    bytes[in][kg * s + state] += 8L + key.length + length;
                                },
                                progress);
                        return null;
                    });
        }
        parallel.all(countPasses);

        List<NewFile> files = new ArrayList<>();
        try {
            // Where every run goes, and the bytes between runs (headers, index, footer).
            Run[][] runs = new Run[old.size()][newMax * s];
            List<List<Object>> pieces = new ArrayList<>(); // per file: byte[] or Run, in order
            for (int j = 0; j < ranges.size(); j++) {
                NewFile f = NewFile.create(out, paths.get(j), workDir);
                files.add(f);
                pieces.add(layout(f, ranges.get(j), states, counts, bytes, runs));
            }
            for (int i = 0; i < old.size(); i++) {
                sizeBuffers(runs[i]);
            }
            List<Callable<Void>> writePasses = new ArrayList<>();
            for (int i = 0; i < old.size(); i++) {
                int in = i;
                writePasses.add(
                        () -> {
                            scan(
                                    input,
                                    in,
                                    false,
                                    newMax,
                                    (kg, state, key, length, value) -> {
                                        Run run = runs[in][kg * s + state];
                                        run.appendInt(key.length);
                                        run.append(ByteBuffer.wrap(key));
                                        run.appendInt(length);
                                        value.copyTo(run);
                                    },
                                    progress);
                            for (Run run : runs[in]) {
                                if (run != null) {
                                    run.finish();
                                }
                            }
                            return null;
                        });
            }
            parallel.all(writePasses);
            List<Callable<FileRef>> finishes = new ArrayList<>();
            for (int j = 0; j < ranges.size(); j++) {
                NewFile f = files.get(j);
                long size = 0;
                int crc = 0;
                for (Object piece : pieces.get(j)) {
                    if (piece instanceof byte[] b) {
                        crc = Crc32s.combine(crc, Crc32s.of(b), b.length);
                        size += b.length;
                    } else {
                        Run run = (Run) piece;
                        crc = Crc32s.combine(crc, run.crc(), run.length);
                        size += run.length;
                    }
                }
                long fileSize = size;
                int fileCrc = crc;
                finishes.add(() -> f.finish(fileSize, fileCrc));
            }
            return parallel.all(finishes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            files.forEach(NewFile::close);
        }
    }

    /**
     * Lays out new file {@code f} for key groups {@code range}: writes its header, section and
     * state headers, index and footer, creates its runs, and returns its pieces in file order.
     */
    private static List<Object> layout(
            NewFile f,
            KeyGroupRange range,
            List<StateInfo> states,
            int[][] counts,
            long[][] bytes,
            Run[][] runs)
            throws IOException {
        int s = states.size();
        List<Object> pieces = new ArrayList<>();
        List<KeyGroupStateFile.Section> index = new ArrayList<>();
        byte[] header = KeyGroupStateFile.header();
        f.write(ByteBuffer.wrap(header), 0);
        pieces.add(header);
        long at = header.length;
        for (int kg = range.start(); kg <= range.end(); kg++) {
            int present = 0;
            for (int st = 0; st < s; st++) {
                if (total(counts, kg * s + st) > 0) {
                    present++;
                }
            }
            if (present == 0) {
                continue;
            }
            long start = at;
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(head);
            d.writeInt(kg);
            d.writeInt(present);
            for (int st = 0; st < s; st++) {
                long n = total(counts, kg * s + st);
                if (n == 0) {
                    continue;
                }
                d.writeUTF(states.get(st).name());
                d.writeInt(Math.toIntExact(n));
                byte[] b = head.toByteArray();
                f.write(ByteBuffer.wrap(b), at);
                pieces.add(b);
                at += b.length;
                head.reset();
                for (int i = 0; i < counts.length; i++) {
                    long length = bytes[i][kg * s + st];
                    if (length > 0) {
                        Run run = new Run(f, at, length);
                        runs[i][kg * s + st] = run;
                        pieces.add(run);
                        at += length;
                    }
                }
            }
            index.add(new KeyGroupStateFile.Section(kg, start, at - start));
        }
        byte[] tail = KeyGroupStateFile.indexAndFooter(index, at);
        f.write(ByteBuffer.wrap(tail), at);
        pieces.add(tail);
        return pieces;
    }

    private static long total(int[][] counts, int slot) {
        long n = 0;
        for (int[] c : counts) {
            n += c[slot];
        }
        return n;
    }

    /** Splits {@link #BUFFER_BUDGET} among one old subtask's runs. */
    private static void sizeBuffers(Run[] runs) {
        int n = 0;
        for (Run r : runs) {
            if (r != null) {
                n++;
            }
        }
        int each = (int) Math.max(MIN_BUFFER, Math.min(MAX_BUFFER, BUFFER_BUDGET / Math.max(1, n)));
        ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
        for (Run r : runs) {
            if (r != null) {
                r.bufferSize = each;
                r.pool = pool;
            }
        }
    }

    /**
     * Visits every entry of old subtask {@code i} with its new key group, in stored order; the
     * first pass ({@code check}) also checks each key's old key group and, for a file read in
     * place, the file's CRC-32.
     */
    private static void scan(
            Input input, int i, boolean check, int newMax, EntryVisitor visitor, Progress progress)
            throws IOException {
        SubtaskState old = input.old().get(i);
        Map<String, Integer> stateIndex = new HashMap<>();
        for (int st = 0; st < input.states().size(); st++) {
            stateIndex.put(input.states().get(st).name(), st);
        }
        String[] kinds = input.states().stream().map(StateInfo::kind).toArray(String[]::new);
        EntrySink sink =
                (state, key, hash, length, value) ->
                        visitor.accept(
                                KeyGroups.keyGroupOfHash(hash, newMax), state, key, length, value);
        if (old.canonical()) {
            try (Scanner scanner = new Scanner(old, check && !old.checked())) {
                scanner.scan(input, stateIndex, kinds, check, sink, progress);
            }
            return;
        }
        // A checkpoint's RocksDB files, fetched to the work directory (checked there).
        int[] lastGroup = {-1};
        UncheckedIOException[] failure = {null};
        NativeState.forEach(
                old.dir(),
                old.keyGroups(),
                (kg, state, key, value) -> {
                    if (failure[0] != null) {
                        return;
                    }
                    if (kg != lastGroup[0]) {
                        progress.advance(
                                kg - Math.max(lastGroup[0], old.keyGroups().start() - 1), 0);
                        lastGroup[0] = kg;
                    }
                    Integer st = stateIndex.get(state);
                    if (st == null) {
                        throw unknownState(input.uid(), state);
                    }
                    try {
                        sink.accept(
                                st,
                                key,
                                recordKeyHash(kinds[st], key),
                                value.length,
                                run -> run.append(ByteBuffer.wrap(value)));
                    } catch (IOException e) {
                        failure[0] = new UncheckedIOException(e);
                    }
                    progress.advance(0, key.length + value.length + 8L);
                });
        if (failure[0] != null) {
            throw failure[0];
        }
        progress.advance(
                old.keyGroups().end() - Math.max(lastGroup[0], old.keyGroups().start() - 1), 0);
    }

    /** The hash key groups are computed from: murmur3 of the entry's record key. */
    private static int recordKeyHash(String kind, byte[] canonicalKey) {
        return Murmur3.hash32(StateKeys.recordKey(kind, canonicalKey));
    }

    /** Receives an entry with its new key group. */
    @FunctionalInterface
    private interface EntryVisitor {
        void accept(int keyGroup, int state, byte[] key, int valueLength, ValueBytes value)
                throws IOException;
    }

    private static ToolException unknownState(String uid, String state) {
        return ToolException.problem(
                uid + ": state '" + state + "' has entries but is not in the metadata", null);
    }

    /**
     * Reads a canonical key-group file front to back in large chunks, section by section as its
     * index lists them, optionally computing its CRC-32 on the way.
     */
    private static final class Scanner implements AutoCloseable {
        private final SubtaskState old;
        private final FileChannel channel;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        private final CRC32 crc;
        private long read; // bytes read from the channel
        private final long size;

        Scanner(SubtaskState old, boolean checkCrc) throws IOException {
            this.old = old;
            this.channel = FileChannel.open(old.file(), StandardOpenOption.READ);
            this.size = channel.size();
            this.crc = checkCrc ? new CRC32() : null;
            buf.flip(); // empty
        }

        /** The offset in the file of the next unread byte. */
        private long position() {
            return read - buf.remaining();
        }

        private void ensure(int n) throws IOException {
            if (buf.remaining() >= n) {
                return;
            }
            buf.compact();
            while (buf.position() < n) {
                int before = buf.position();
                int got = channel.read(buf, read);
                if (got <= 0) {
                    throw damaged("it ends at " + read + " in the middle of a section");
                }
                read += got;
                if (crc != null) {
                    ByteBuffer fresh = buf.duplicate();
                    fresh.position(before).limit(before + got);
                    crc.update(fresh);
                }
            }
            buf.flip();
        }

        /** Reads at least one more byte into an empty buffer. */
        private void refill() throws IOException {
            ensure(1);
        }

        private int readInt() throws IOException {
            ensure(4);
            return buf.getInt();
        }

        private byte[] readBytes(int n) throws IOException {
            if (n < 0) {
                throw damaged("an entry has length " + n);
            }
            byte[] b = new byte[n];
            int done = 0;
            while (done < n) {
                if (!buf.hasRemaining()) {
                    refill();
                }
                int k = Math.min(n - done, buf.remaining());
                buf.get(b, done, k);
                done += k;
            }
            return b;
        }

        private void skip(long n) throws IOException {
            long left = n;
            while (left > 0) {
                if (!buf.hasRemaining()) {
                    refill();
                }
                int k = (int) Math.min(left, buf.remaining());
                buf.position(buf.position() + k);
                left -= k;
            }
        }

        private void copy(long n, Run run) throws IOException {
            long left = n;
            while (left > 0) {
                if (!buf.hasRemaining()) {
                    refill();
                }
                int k = (int) Math.min(left, buf.remaining());
                ByteBuffer part = buf.duplicate();
                part.limit(part.position() + k);
                run.append(part);
                buf.position(buf.position() + k);
                left -= k;
            }
        }

        private String readUtf() throws IOException {
            ensure(2);
            int n = buf.getShort() & 0xffff;
            byte[] b = readBytes(n);
            ByteArrayOutputStream whole = new ByteArrayOutputStream(n + 2);
            whole.write(n >>> 8);
            whole.write(n);
            whole.write(b);
            return new DataInputStream(new ByteArrayInputStream(whole.toByteArray())).readUTF();
        }

        void scan(
                Input input,
                Map<String, Integer> stateIndex,
                String[] kinds,
                boolean check,
                EntrySink sink,
                Progress progress)
                throws IOException {
            skip(KeyGroupStateFile.header().length);
            KeyGroupRange owned = old.keyGroups();
            int lastGroup = owned.start() - 1;
            for (KeyGroupStateFile.Section section : old.reader().sections()) {
                if (position() != section.offset()) {
                    throw damaged(
                            "section "
                                    + section.keyGroup()
                                    + " is at "
                                    + section.offset()
                                    + ", expected at "
                                    + position());
                }
                int kg = readInt();
                if (kg != section.keyGroup() || !owned.contains(kg)) {
                    throw damaged("section at " + section.offset() + " holds key group " + kg);
                }
                int stateCount = readInt();
                for (int k = 0; k < stateCount; k++) {
                    String name = readUtf();
                    Integer st = stateIndex.get(name);
                    if (st == null) {
                        throw unknownState(input.uid(), name);
                    }
                    int entries = readInt();
                    for (int e = 0; e < entries; e++) {
                        byte[] key = readBytes(readInt());
                        int length = readInt();
                        if (length < 0) {
                            throw damaged("an entry has length " + length);
                        }
                        int hash = recordKeyHash(kinds[st], key);
                        if (check) {
                            int was = KeyGroups.keyGroupOfHash(hash, input.oldMax());
                            if (was != kg) {
                                throw damaged(
                                        "a key of state '"
                                                + name
                                                + "' in key group "
                                                + kg
                                                + " belongs to key group "
                                                + was);
                            }
                            sink.accept(st, key, hash, length, null);
                            skip(length);
                        } else {
                            sink.accept(st, key, hash, length, run -> copy(length, run));
                        }
                    }
                }
                if (position() != section.offset() + section.length()) {
                    throw damaged("section " + kg + " does not end where the index says");
                }
                progress.advance(kg - lastGroup, section.length());
                lastGroup = kg;
            }
            progress.advance(owned.end() - lastGroup, 0);
            if (crc != null) {
                skip(size - position());
                if ((int) crc.getValue() != old.ref().crc32()) {
                    throw damaged(
                            "its CRC-32 is "
                                    + Integer.toHexString((int) crc.getValue())
                                    + ", the metadata says "
                                    + Integer.toHexString(old.ref().crc32()));
                }
            }
        }

        private ToolException damaged(String why) {
            return ToolException.problem(old.file() + " is damaged: " + why, null);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * The entries one old subtask gives one state of one new key group: {@link #length} bytes at a
     * fixed place of a new file, appended through a buffer. Used by one thread.
     */
    static final class Run {
        private final NewFile file;
        private final long length;
        private long next;
        private long appended;
        int bufferSize = MIN_BUFFER;

        /** Buffers of the old subtask's runs: direct, so a write copies nothing more. */
        ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();

        private ByteBuffer buffer;
        private final CRC32 crc = new CRC32();

        Run(NewFile file, long at, long length) {
            this.file = file;
            this.next = at;
            this.length = length;
        }

        void appendInt(int v) throws IOException {
            ByteBuffer b = buffer(4);
            b.putInt(v);
            appended += 4;
            releaseIfComplete();
        }

        void append(ByteBuffer src) throws IOException {
            while (src.hasRemaining()) {
                ByteBuffer b = buffer(1);
                int k = Math.min(src.remaining(), b.remaining());
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + k);
                b.put(part);
                src.position(src.position() + k);
                appended += k;
            }
            releaseIfComplete();
        }

        /** A complete run is written and its buffer dropped at once, not at the end of the pass. */
        private void releaseIfComplete() throws IOException {
            if (appended == length && buffer != null) {
                flush();
                pool.push(buffer);
                buffer = null;
            }
        }

        /** The buffer, with room for at least {@code n} bytes (flushed if needed). */
        private ByteBuffer buffer(int n) throws IOException {
            if (buffer == null) {
                buffer = pool.poll();
                if (buffer == null) {
                    buffer = ByteBuffer.allocateDirect(Math.max(bufferSize, 8));
                }
            } else if (buffer.remaining() < n) {
                flush();
            }
            return buffer;
        }

        private void flush() throws IOException {
            buffer.flip();
            crc.update(buffer.duplicate());
            int n = buffer.remaining();
            file.write(buffer, next);
            next += n;
            buffer.clear();
        }

        /** Writes what is buffered; checks the run got exactly the bytes the first pass counted. */
        void finish() throws IOException {
            if (buffer != null) {
                flush();
                pool.push(buffer);
                buffer = null;
            }
            if (appended != length) {
                throw new IllegalStateException(
                        "a run got " + appended + " bytes, the first pass counted " + length);
            }
        }

        int crc() {
            return (int) crc.getValue();
        }
    }
}
