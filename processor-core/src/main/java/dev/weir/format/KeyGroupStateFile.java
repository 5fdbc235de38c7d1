package dev.weir.format;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical keyed-state file of a savepoint: one per operator uid and subtask, independent of
 * the state backend. Layout (big-endian):
 *
 * <pre>
 * header   magic "WEIRKGS1", version:int32
 * section* keyGroup:int32, stateCount:int32,
 *          ( stateName:UTF, entryCount:int32, ( keyLen:int32, key, valueLen:int32, value )* )*
 * index    count:int32, ( keyGroup:int32, offset:int64, length:int64 )*
 * footer   indexOffset:int64, magic "WEIRKGS1"
 * </pre>
 *
 * A section holds every entry of one key group and is self-contained, so a rescale copies sections
 * as byte ranges without decoding them. Keys are the backend-neutral state keys without the
 * key-group prefix (for map state: key length, key, user key). Sections are in increasing key-group
 * order; key groups without state have none.
 */
public final class KeyGroupStateFile {
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "WEIRKGS1".getBytes(StandardCharsets.US_ASCII);

    private KeyGroupStateFile() {}

    /** One entry of a section. */
    public record Entry(String state, byte[] key, byte[] value) {}

    /** Where a key group's section is. */
    public record Section(int keyGroup, long offset, long length) {}

    /** The bytes every file starts with: magic and version. */
    public static byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4);
        b.put(MAGIC).putInt(VERSION);
        return b.array();
    }

    /**
     * The bytes every file ends with: the index of {@code sections} and the footer, for a file
     * whose sections end at {@code indexOffset}. A writer that places sections at their offsets
     * itself (the offline rescale copies sections of several old files in parallel) writes these
     * and {@link #header()} around them.
     */
    public static byte[] indexAndFooter(List<Section> sections, long indexOffset) {
        ByteBuffer b = ByteBuffer.allocate(4 + sections.size() * 20 + 8 + MAGIC.length);
        b.putInt(sections.size());
        for (Section s : sections) {
            b.putInt(s.keyGroup()).putLong(s.offset()).putLong(s.length());
        }
        b.putLong(indexOffset).put(MAGIC);
        return b.array();
    }

    /** Writes a file section by section. Not thread-safe. */
    public static final class Writer implements AutoCloseable {
        private final DataOutputStream out;
        private final List<Section> index = new ArrayList<>();
        private long position;
        private int lastKeyGroup = -1;

        public Writer(OutputStream stream) throws IOException {
            this.out = new DataOutputStream(stream);
            byte[] header = header();
            out.write(header);
            position = header.length;
        }

        /**
         * Writes the section of {@code keyGroup}: entries per state name, in the given order. Empty
         * states are skipped; nothing is written if all are empty.
         */
        public void writeSection(int keyGroup, Map<String, List<byte[][]>> entriesByState)
                throws IOException {
            if (keyGroup <= lastKeyGroup) {
                throw new IllegalArgumentException(
                        "key groups must increase: " + keyGroup + " after " + lastKeyGroup);
            }
            Map<String, List<byte[][]>> nonEmpty = new LinkedHashMap<>();
            entriesByState.forEach(
                    (k, v) -> {
                        if (!v.isEmpty()) {
                            nonEmpty.put(k, v);
                        }
                    });
            if (nonEmpty.isEmpty()) {
                return;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream s = new DataOutputStream(bytes);
            s.writeInt(keyGroup);
            s.writeInt(nonEmpty.size());
            for (Map.Entry<String, List<byte[][]>> e : nonEmpty.entrySet()) {
                s.writeUTF(e.getKey());
                s.writeInt(e.getValue().size());
                for (byte[][] kv : e.getValue()) {
                    s.writeInt(kv[0].length);
                    s.write(kv[0]);
                    s.writeInt(kv[1].length);
                    s.write(kv[1]);
                }
            }
            s.flush();
            copySection(keyGroup, bytes.toByteArray());
        }

        /** Entries of one state of a section, produced on demand in a pass of their own. */
        public interface StateEntries {
            /** The state's name. */
            String state();

            /** How many entries {@link #forEach} gives. */
            int count();

            /** Gives every entry of the state in this section, once per call. */
            void forEach(EntrySink sink) throws IOException;
        }

        /** Receives the entries of a {@link StateEntries}. */
        @FunctionalInterface
        public interface EntrySink {
            void accept(byte[] key, byte[] value) throws IOException;
        }

        /**
         * Writes the section of {@code keyGroup} streaming: each state's entries are written as its
         * {@link StateEntries#forEach} gives them, so no key group is held in memory. States with
         * no entries are skipped; nothing is written if all are empty.
         */
        public void writeSection(int keyGroup, List<StateEntries> states) throws IOException {
            if (keyGroup <= lastKeyGroup) {
                throw new IllegalArgumentException(
                        "key groups must increase: " + keyGroup + " after " + lastKeyGroup);
            }
            List<StateEntries> nonEmpty = states.stream().filter(e -> e.count() > 0).toList();
            if (nonEmpty.isEmpty()) {
                return;
            }
            long written = 0;
            out.writeInt(keyGroup);
            out.writeInt(nonEmpty.size());
            written += 8;
            for (StateEntries e : nonEmpty) {
                ByteArrayOutputStream name = new ByteArrayOutputStream();
                new DataOutputStream(name).writeUTF(e.state());
                name.writeTo(out);
                written += name.size();
                out.writeInt(e.count());
                written += 4;
                long[] n = {0, 0};
                e.forEach(
                        (k, v) -> {
                            out.writeInt(k.length);
                            out.write(k);
                            out.writeInt(v.length);
                            out.write(v);
                            n[0]++;
                            n[1] += 8L + k.length + v.length;
                        });
                if (n[0] != e.count()) {
                    throw new IllegalStateException(
                            "state " + e.state() + " gave " + n[0] + " entries, said " + e.count());
                }
                written += n[1];
            }
            index.add(new Section(keyGroup, position, written));
            position += written;
            lastKeyGroup = keyGroup;
        }

        /** Appends a section taken from another file as it is (rescale without decoding). */
        public void copySection(int keyGroup, byte[] section) throws IOException {
            if (keyGroup <= lastKeyGroup) {
                throw new IllegalArgumentException(
                        "key groups must increase: " + keyGroup + " after " + lastKeyGroup);
            }
            out.write(section);
            index.add(new Section(keyGroup, position, section.length));
            position += section.length;
            lastKeyGroup = keyGroup;
        }

        /**
         * Appends section {@code s} of another file, streamed in small chunks: a rescale at the
         * same max-parallelism copies byte ranges without decoding or holding a key group in
         * memory.
         */
        public void copySection(Reader from, Section s) throws IOException {
            if (s.keyGroup() <= lastKeyGroup) {
                throw new IllegalArgumentException(
                        "key groups must increase: " + s.keyGroup() + " after " + lastKeyGroup);
            }
            from.copyTo(s, out);
            index.add(new Section(s.keyGroup(), position, s.length()));
            position += s.length();
            lastKeyGroup = s.keyGroup();
        }

        @Override
        public void close() throws IOException {
            out.write(indexAndFooter(index, position));
            out.close();
        }
    }

    /** Reads a file through its index. Not thread-safe. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final List<Section> sections;

        public Reader(Path file) {
            this.file = file;
            try {
                this.channel = FileChannel.open(file, StandardOpenOption.READ);
                this.sections = readIndex();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read key-group state file " + file, e);
            }
        }

        private List<Section> readIndex() throws IOException {
            long size = channel.size();
            if (size < MAGIC.length + 4 + 4 + 8 + MAGIC.length) {
                throw new MetadataFormatException(
                        file + " is not a key-group state file (too short)");
            }
            byte[] head = read(0, MAGIC.length + 4);
            if (!Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new MetadataFormatException(
                        file + " is not a key-group state file (bad magic)");
            }
            int version = ByteBuffer.wrap(head, MAGIC.length, 4).getInt();
            if (version != VERSION) {
                throw new MetadataFormatException(
                        file
                                + ": key-group state file version "
                                + version
                                + " is not supported; this Weir reads version "
                                + VERSION);
            }
            byte[] foot = read(size - 8 - MAGIC.length, 8 + MAGIC.length);
            if (!Arrays.equals(foot, 8, foot.length, MAGIC, 0, MAGIC.length)) {
                throw new MetadataFormatException(file + " is truncated (no footer)");
            }
            long indexOffset = ByteBuffer.wrap(foot, 0, 8).getLong();
            if (indexOffset < MAGIC.length + 4 || indexOffset > size - 8 - MAGIC.length - 4) {
                throw new MetadataFormatException(file + " has a damaged index offset");
            }
            DataInputStream in =
                    new DataInputStream(
                            new java.io.ByteArrayInputStream(
                                    read(
                                            indexOffset,
                                            (int) (size - 8 - MAGIC.length - indexOffset))));
            int count = in.readInt();
            List<Section> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                list.add(new Section(in.readInt(), in.readLong(), in.readLong()));
            }
            return List.copyOf(list);
        }

        private byte[] read(long offset, int length) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining()) {
                if (channel.read(b, offset + b.position()) < 0) {
                    throw new MetadataFormatException(file + " is truncated");
                }
            }
            return b.array();
        }

        public List<Section> sections() {
            return sections;
        }

        /** The raw bytes of a section, for copying into another file. */
        public byte[] sectionBytes(Section s) {
            try {
                return read(s.offset(), Math.toIntExact(s.length()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Writes the raw bytes of section {@code s} to {@code out}, 64 KiB at a time. */
        void copyTo(Section s, OutputStream out) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long done = 0;
            while (done < s.length()) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), s.length() - done));
                int n = channel.read(buf, s.offset() + done);
                if (n < 0) {
                    throw new MetadataFormatException(file + " is truncated");
                }
                out.write(buf.array(), 0, n);
                done += n;
            }
        }

        /**
         * Calls {@code consumer} for every entry of a section, read from the file as it goes: only
         * one entry is in memory at a time, whatever the size of the key group.
         */
        public void forEachEntry(Section s, java.util.function.Consumer<Entry> consumer) {
            try {
                DataInputStream in =
                        new DataInputStream(
                                new java.io.BufferedInputStream(
                                        new SectionStream(s.offset(), s.length()), 1 << 16));
                int kg = in.readInt();
                if (kg != s.keyGroup()) {
                    throw new MetadataFormatException(
                            file
                                    + ": section at "
                                    + s.offset()
                                    + " holds key group "
                                    + kg
                                    + ", the index says "
                                    + s.keyGroup());
                }
                int states = in.readInt();
                for (int i = 0; i < states; i++) {
                    String name = in.readUTF();
                    int n = in.readInt();
                    for (int j = 0; j < n; j++) {
                        byte[] key = readBytes(in);
                        byte[] value = readBytes(in);
                        consumer.accept(new Entry(name, key, value));
                    }
                }
            } catch (IOException | NegativeArraySizeException e) {
                throw new MetadataFormatException(file + ": damaged section: " + e, e);
            }
        }

        private byte[] readBytes(DataInputStream in) throws IOException {
            int n = in.readInt();
            if (n < 0) {
                throw new MetadataFormatException(file + ": damaged section: length " + n);
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        /** The bytes of one section, read through the channel without moving its position. */
        private final class SectionStream extends java.io.InputStream {
            private long at;
            private final long end;

            SectionStream(long offset, long length) {
                this.at = offset;
                this.end = offset + length;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (at >= end) {
                    return -1;
                }
                int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - at)), at);
                if (n < 0) {
                    throw new MetadataFormatException(file + " is truncated");
                }
                at += n;
                return n;
            }
        }

        /** The entries of a section, all in memory (small sections, tests). */
        public List<Entry> entries(Section s) {
            List<Entry> entries = new ArrayList<>();
            forEachEntry(s, entries::add);
            return entries;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
