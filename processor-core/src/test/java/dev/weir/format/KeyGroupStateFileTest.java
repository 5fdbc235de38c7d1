package dev.weir.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyGroupStateFileTest {
    @TempDir Path tmp;

    @Test
    void entriesOfASectionRoundTrip() throws IOException {
        Path file = tmp.resolve("0.kgs");
        try (OutputStream out = Files.newOutputStream(file);
                KeyGroupStateFile.Writer w = new KeyGroupStateFile.Writer(out)) {
            w.writeSection(
                    3, Map.of("count", List.<byte[][]>of(new byte[][] {utf8("k"), utf8("v")})));
        }

        try (KeyGroupStateFile.Reader r = new KeyGroupStateFile.Reader(file)) {
            List<KeyGroupStateFile.Entry> entries = r.entries(r.sections().get(0));

            assertThat(entries).hasSize(1);
            assertThat(entries.get(0).state()).isEqualTo("count");
            assertThat(entries.get(0).key()).isEqualTo(utf8("k"));
            assertThat(entries.get(0).value()).isEqualTo(utf8("v"));
        }
    }

    /** The streaming writer and reader produce and read the same bytes as the in-memory ones. */
    @Test
    void aSectionWrittenStreamingIsTheSameAndReadsBackEntryByEntry() throws IOException {
        Map<String, List<byte[][]>> entries = new java.util.LinkedHashMap<>();
        entries.put(
                "a",
                List.of(
                        new byte[][] {utf8("k1"), utf8("v1")},
                        new byte[][] {utf8("k2"), utf8("")}));
        entries.put("b", List.<byte[][]>of(new byte[][] {utf8("k3"), utf8("value three")}));
        Path inMemory = tmp.resolve("memory.kgs");
        Path streamed = tmp.resolve("streamed.kgs");
        try (OutputStream out = Files.newOutputStream(inMemory);
                KeyGroupStateFile.Writer w = new KeyGroupStateFile.Writer(out)) {
            w.writeSection(5, entries);
            w.writeSection(9, entries);
        }
        try (OutputStream out = Files.newOutputStream(streamed);
                KeyGroupStateFile.Writer w = new KeyGroupStateFile.Writer(out)) {
            for (int kg : new int[] {5, 9}) {
                List<KeyGroupStateFile.Writer.StateEntries> states = new java.util.ArrayList<>();
                entries.forEach(
                        (name, list) ->
                                states.add(
                                        new KeyGroupStateFile.Writer.StateEntries() {
                                            @Override
                                            public String state() {
                                                return name;
                                            }

                                            @Override
                                            public int count() {
                                                return list.size();
                                            }

                                            @Override
                                            public void forEach(
                                                    KeyGroupStateFile.Writer.EntrySink sink)
                                                    throws IOException {
                                                for (byte[][] kv : list) {
                                                    sink.accept(kv[0], kv[1]);
                                                }
                                            }
                                        }));
                w.writeSection(kg, states);
            }
        }

        assertThat(streamed).hasSameBinaryContentAs(inMemory);
        try (KeyGroupStateFile.Reader r = new KeyGroupStateFile.Reader(streamed)) {
            List<String> seen = new java.util.ArrayList<>();
            r.forEachEntry(
                    r.sections().get(1),
                    e -> seen.add(e.state() + ":" + new String(e.key(), StandardCharsets.UTF_8)));
            assertThat(seen).containsExactly("a:k1", "a:k2", "b:k3");
        }
    }

    @Test
    void aDamagedSectionFailsWithTheReadErrorAsItsCause() throws IOException {
        // A section that announces one state and ends before its name.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream section = new DataOutputStream(bytes);
        section.writeInt(3);
        section.writeInt(1);
        Path file = tmp.resolve("0.kgs");
        try (OutputStream out = Files.newOutputStream(file);
                KeyGroupStateFile.Writer w = new KeyGroupStateFile.Writer(out)) {
            w.copySection(3, bytes.toByteArray());
        }

        try (KeyGroupStateFile.Reader r = new KeyGroupStateFile.Reader(file)) {
            assertThatThrownBy(() -> r.entries(r.sections().get(0)))
                    .isInstanceOf(MetadataFormatException.class)
                    .hasMessageContaining("damaged section")
                    .hasCauseInstanceOf(EOFException.class);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
