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
