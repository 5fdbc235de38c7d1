package dev.weir.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.weir.WeirException;
import dev.weir.format.FileRef;
import dev.weir.spi.CorruptCheckpointException;
import dev.weir.spi.StoredFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalCheckpointStorageTest {
    @TempDir Path tmp;

    private Path root;
    private LocalCheckpointStorage storage;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("checkpoints"));
        storage = new LocalCheckpointStorage(root);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 65_536, 200_003})
    void uploadThenDownloadRoundTripsTheBytesAndRecordsSizeAndCrc(int size) throws IOException {
        byte[] content = randomBytes(size);
        Path local = Files.write(tmp.resolve("local.sst"), content);

        FileRef ref = storage.upload(local, "job/shared/000001.sst");

        assertThat(ref).isEqualTo(new FileRef("job/shared/000001.sst", size, crc(content)));
        assertThat(root.resolve("job/shared/000001.sst")).hasBinaryContent(content);
        Path target = tmp.resolve("restore/000001.sst");
        storage.download("", ref, target);
        assertThat(target).hasBinaryContent(content);
    }

    @Test
    void aWriteIfAbsentNeverReplacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        assertThat(storage.writeAtomicallyIfAbsent("job/chk-4/_metadata", new byte[] {1, 2}))
                .isTrue();

        assertThat(storage.writeAtomicallyIfAbsent("job/chk-4/_metadata", new byte[] {9}))
                .as("second write of the same file")
                .isFalse();

        assertThat(root.resolve("job/chk-4/_metadata")).hasBinaryContent(new byte[] {1, 2});
        assertThat(storage.list("job/chk-4")).containsExactly("_metadata");
    }

    @Test
    void downloadResolvesTheFileRelativeToTheBaseDirectory() throws IOException {
        byte[] content = randomBytes(1_000);
        Path local = Files.write(tmp.resolve("local"), content);
        FileRef uploaded = storage.upload(local, "job/chk-3/op-0/MANIFEST-000004");
        FileRef relative = new FileRef("op-0/MANIFEST-000004", uploaded.size(), uploaded.crc32());

        Path target = tmp.resolve("restore/MANIFEST-000004");
        storage.download("job/chk-3", relative, target);

        assertThat(target).hasBinaryContent(content);
    }

    @Test
    void downloadOfAFileWithAFlippedByteFailsNamingTheFile() throws IOException {
        FileRef ref = uploadRandom("job/shared/000002.sst", 5_000);
        Path stored = root.resolve("job/shared/000002.sst");
        byte[] bytes = Files.readAllBytes(stored);
        bytes[2_500] ^= 0x10;
        Files.write(stored, bytes);

        assertThatThrownBy(() -> storage.download("", ref, tmp.resolve("out")))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(stored.toString())
                .hasMessageContaining("CRC");
    }

    @Test
    void downloadOfATruncatedFileFailsNamingTheFile() throws IOException {
        FileRef ref = uploadRandom("job/shared/000003.sst", 5_000);
        Path stored = root.resolve("job/shared/000003.sst");
        byte[] bytes = Files.readAllBytes(stored);
        Files.write(stored, Arrays.copyOf(bytes, bytes.length - 1));

        assertThatThrownBy(() -> storage.download("", ref, tmp.resolve("out")))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(stored.toString())
                .hasMessageContaining("4999 bytes");
    }

    @Test
    void downloadOfAMissingFileFailsNamingTheFile() throws IOException {
        FileRef ref = uploadRandom("job/shared/000004.sst", 10);
        Files.delete(root.resolve("job/shared/000004.sst"));

        assertThatThrownBy(() -> storage.download("", ref, tmp.resolve("out")))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(root.resolve("job/shared/000004.sst").toString())
                .hasMessageContaining("missing");
    }

    @Test
    void writeAtomicallyWritesAndOverwritesLeavingNoTemporaryFile() {
        storage.writeAtomically("job/chk-1/_metadata", utf8("first"));
        assertThat(storage.read("job/chk-1/_metadata"))
                .hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("first")));

        storage.writeAtomically("job/chk-1/_metadata", utf8("second, longer"));

        assertThat(storage.read("job/chk-1/_metadata"))
                .hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("second, longer")));
        assertThat(storage.list("job/chk-1")).containsExactly("_metadata");
    }

    @Test
    void readOfAMissingFileIsEmpty() {
        assertThat(storage.read("job/chk-9/_metadata")).isEmpty();
    }

    @Test
    void listNamesDirectChildrenSortedAndDeleteRecursivelyRemovesATree() throws IOException {
        storage.writeAtomically("job/chk-2/_metadata", utf8("m2"));
        storage.writeAtomically("job/chk-10/_metadata", utf8("m10"));
        uploadRandom("job/chk-10/op/000001.sst", 10);
        uploadRandom("job/shared/a.sst", 10);

        assertThat(storage.list("job")).containsExactly("chk-10", "chk-2", "shared");
        assertThat(storage.list("job/chk-10")).containsExactly("_metadata", "op");
        assertThat(storage.list("no-such-dir")).isEmpty();

        storage.deleteRecursively("job/chk-10");

        assertThat(storage.list("job")).containsExactly("chk-2", "shared");
        assertThat(root.resolve("job/chk-10")).doesNotExist();
        assertThatCode(() -> storage.deleteRecursively("job/chk-10")).doesNotThrowAnyException();
    }

    @Test
    void listFilesWithTimesGivesEveryFileWithItsSizeAndModificationTime() throws IOException {
        uploadRandom("job/chk-3/op/MANIFEST-1", 7);
        uploadRandom("job/shared/op/0/u/000009.sst", 33);
        Instant old = Instant.parse("2026-01-02T03:04:05Z");
        Files.setLastModifiedTime(root.resolve("job/shared/op/0/u/000009.sst"), FileTime.from(old));

        List<StoredFile> files = storage.listFilesWithTimes("job");

        assertThat(files)
                .extracting(StoredFile::path, StoredFile::size)
                .containsExactly(
                        tuple("job/chk-3/op/MANIFEST-1", 7L),
                        tuple("job/shared/op/0/u/000009.sst", 33L));
        assertThat(files.get(0).lastModified())
                .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
        assertThat(files.get(1).lastModified()).isEqualTo(old);
        assertThat(storage.listFilesWithTimes("no-such-dir")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"../x", "job/../../x", "../checkpoints-other/x", "/etc/passwd"})
    void pathsLeavingTheRootAreRejected(String path) throws IOException {
        Path local = Files.write(tmp.resolve("local"), utf8("data"));
        Files.createDirectories(tmp.resolve("checkpoints-other"));

        assertThatThrownBy(() -> storage.upload(local, path))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining(path);
        assertThatThrownBy(() -> storage.writeAtomically(path, utf8("x")))
                .hasMessageContaining(path);
        assertThatThrownBy(() -> storage.read(path)).hasMessageContaining(path);
        assertThatThrownBy(() -> storage.list(path)).hasMessageContaining(path);
        assertThatThrownBy(() -> storage.deleteRecursively(path)).hasMessageContaining(path);
        assertThat(tmp.resolve("x")).doesNotExist();
        assertThat(tmp.resolve("checkpoints-other/x")).doesNotExist();
    }

    @Test
    void downloadOfAFileRefLeavingTheRootIsRejected() throws IOException {
        Files.write(tmp.resolve("secret"), utf8("data"));
        FileRef escaping = new FileRef("../secret", 4, crc(utf8("data")));

        assertThatThrownBy(() -> storage.download("", escaping, tmp.resolve("out")))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("../secret");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void describeGivesTheAbsoluteFileUri() {
        assertThat(storage.describe("job/chk-1/_metadata"))
                .isEqualTo(root.resolve("job/chk-1/_metadata").toUri().toString());
    }

    private FileRef uploadRandom(String path, int size) throws IOException {
        Path local = Files.createTempFile(tmp, "upload", ".bin");
        Files.write(local, randomBytes(size));
        return storage.upload(local, path);
    }

    private static byte[] randomBytes(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static int crc(byte[] b) {
        CRC32 crc = new CRC32();
        crc.update(b);
        return (int) crc.getValue();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
