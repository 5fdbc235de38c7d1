package dev.weir.tools;

import dev.weir.format.FileRef;
import dev.weir.format.KeyGroupRange;
import dev.weir.format.KeyGroupStateFile;
import dev.weir.spi.CheckpointStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * Rescale at the same max-parallelism: every new subtask's key-group file is its old sections,
 * copied as byte ranges (docs/savepoint-tools.md, "How rescale works").
 *
 * <p>All offsets are known from the old files' indexes before a byte is copied, so each new file's
 * header, index and footer are written first and every old file is then read exactly once,
 * sequentially, by a thread of its own, which writes each of its sections straight to its place in
 * the new files. The same pass checks the old file's CRC-32 (when it is read in place) and computes
 * the CRC-32 of every copied range; a new file's checksum is combined from those ({@link Crc32s})
 * instead of reading it back.
 */
final class SectionCopy {
    private static final int CHUNK = 1 << 20;

    private SectionCopy() {}

    /**
     * Bytes {@code [from, from + length)} of old file {@code input} go to {@code output} at {@code
     * to}.
     */
    private record Piece(int input, int output, long from, long length, long to, int sections) {}

    /** What one new file is made of. */
    private record Layout(List<Piece> pieces, byte[] tail, long tailOffset) {
        long size() {
            return tailOffset + tail.length;
        }
    }

    /**
     * Writes the files {@code paths} (relative to {@code out}), one per range of {@code ranges},
     * from the old subtasks {@code old} (sorted by key group); returns their references in the same
     * order.
     */
    static List<FileRef> copy(
            List<SubtaskState> old,
            List<KeyGroupRange> ranges,
            List<String> paths,
            CheckpointStorage out,
            java.nio.file.Path workDir,
            Progress progress,
            Parallel parallel) {
        byte[] header = KeyGroupStateFile.header();
        List<Layout> layouts = new ArrayList<>();
        List<List<Piece>> byInput = new ArrayList<>();
        old.forEach(s -> byInput.add(new ArrayList<>()));
        for (int j = 0; j < ranges.size(); j++) {
            Layout layout = layout(j, old, ranges.get(j), header.length);
            layouts.add(layout);
            layout.pieces().forEach(piece -> byInput.get(piece.input()).add(piece));
        }
        List<NewFile> files = new ArrayList<>();
        try {
            for (int j = 0; j < ranges.size(); j++) {
                NewFile f = NewFile.create(out, paths.get(j), workDir);
                files.add(f);
                f.write(ByteBuffer.wrap(header), 0);
                f.write(ByteBuffer.wrap(layouts.get(j).tail()), layouts.get(j).tailOffset());
            }
            Map<Piece, Integer> crcs = new ConcurrentHashMap<>();
            List<Callable<Void>> reads = new ArrayList<>();
            for (int i = 0; i < old.size(); i++) {
                SubtaskState s = old.get(i);
                List<Piece> pieces = byInput.get(i);
                reads.add(
                        () -> {
                            read(s, pieces, files, progress, crcs::put);
                            return null;
                        });
            }
            parallel.all(reads);
            // Made durable once all are written: forcing them earlier, while the old files were
            // still being read, slowed the reads down by more than it saved here.
            List<Callable<FileRef>> finishes = new ArrayList<>();
            for (int j = 0; j < ranges.size(); j++) {
                Layout layout = layouts.get(j);
                int crc = Crc32s.of(header);
                for (Piece piece : layout.pieces()) {
                    crc = Crc32s.combine(crc, crcs.get(piece), piece.length());
                }
                int fileCrc = Crc32s.combine(crc, Crc32s.of(layout.tail()), layout.tail().length);
                NewFile f = files.get(j);
                finishes.add(() -> f.finish(layout.size(), fileCrc));
            }
            return parallel.all(finishes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            files.forEach(NewFile::close);
        }
    }

    /** Receives each piece's CRC-32 once it is written. */
    @FunctionalInterface
    private interface PieceDone {
        void accept(Piece piece, int crc);
    }

    /** The pieces of new file {@code j}: the old sections of its range, in key-group order. */
    private static Layout layout(
            int j, List<SubtaskState> old, KeyGroupRange range, int headerLength) {
        List<Piece> pieces = new ArrayList<>();
        List<KeyGroupStateFile.Section> index = new ArrayList<>();
        long at = headerLength;
        for (int i = 0; i < old.size(); i++) {
            for (KeyGroupStateFile.Section s : old.get(i).reader().sections()) {
                if (!range.contains(s.keyGroup())) {
                    continue;
                }
                Piece last = pieces.isEmpty() ? null : pieces.get(pieces.size() - 1);
                if (last != null
                        && last.input() == i
                        && last.from() + last.length() == s.offset()
                        && last.to() + last.length() == at) {
                    pieces.set(
                            pieces.size() - 1,
                            new Piece(
                                    i,
                                    j,
                                    last.from(),
                                    last.length() + s.length(),
                                    last.to(),
                                    last.sections() + 1));
                } else {
                    pieces.add(new Piece(i, j, s.offset(), s.length(), at, 1));
                }
                index.add(new KeyGroupStateFile.Section(s.keyGroup(), at, s.length()));
                at += s.length();
            }
        }
        return new Layout(pieces, KeyGroupStateFile.indexAndFooter(index, at), at);
    }

    /**
     * Reads old file {@code s} from start to end, writing {@code pieces} (sorted by offset) to
     * their new files; returns each piece's CRC-32. Checks the whole file's CRC-32 if it is read in
     * place. Calls {@code done} with each piece's CRC-32 when it is written.
     */
    private static void read(
            SubtaskState s,
            List<Piece> pieces,
            List<NewFile> files,
            Progress progress,
            PieceDone done)
            throws IOException {
        CRC32 whole = new CRC32();
        CRC32[] crcs = new CRC32[pieces.size()];
        for (int k = 0; k < crcs.length; k++) {
            crcs[k] = new CRC32();
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        long size;
        try (FileChannel in = FileChannel.open(s.file(), StandardOpenOption.READ)) {
            size = in.size();
            long at = 0;
            int k = 0;
            while (at < size) {
                buf.clear();
                while (buf.hasRemaining() && in.read(buf, at + buf.position()) > 0) {
                    // fill the chunk
                }
                buf.flip();
                int n = buf.limit();
                if (n == 0) {
                    break;
                }
                if (!s.checked()) {
                    whole.update(buf.duplicate());
                }
                long end = at + n;
                while (k < pieces.size() && pieces.get(k).from() < end) {
                    Piece piece = pieces.get(k);
                    long from = Math.max(piece.from(), at);
                    long to = Math.min(piece.from() + piece.length(), end);
                    if (from < to) {
                        ByteBuffer part = buf.duplicate();
                        part.position((int) (from - at)).limit((int) (to - at));
                        crcs[k].update(part.duplicate());
                        files.get(piece.output()).write(part, piece.to() + (from - piece.from()));
                    }
                    if (piece.from() + piece.length() > end) {
                        break;
                    }
                    progress.advance(piece.sections(), 0);
                    done.accept(piece, (int) crcs[k].getValue());
                    k++;
                }
                progress.advance(0, n);
                at = end;
            }
            if (k < pieces.size()) {
                throw ToolException.problem(
                        s.file() + " is truncated: it ends before the sections its index names",
                        null);
            }
        }
        if (!s.checked() && (int) whole.getValue() != s.ref().crc32()) {
            throw ToolException.problem(
                    s.file()
                            + " is damaged: its CRC-32 is "
                            + Integer.toHexString((int) whole.getValue())
                            + ", the metadata says "
                            + Integer.toHexString(s.ref().crc32()),
                    null);
        }
    }
}
