package dev.weir.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.format.FileRef;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CorruptCheckpointException;
import dev.weir.spi.StoredFile;
import dev.weir.testkit.S3Extension;
import dev.weir.testkit.S3Server;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The checkpoint storage contract (the same cases as the local storage's test) against a real
 * S3-compatible server, plus what only S3 has: pagination past 1000 keys, multipart upload, and an
 * unreachable store.
 */
@ExtendWith(S3Extension.class)
@Timeout(60)
class S3CheckpointStorageTest {
    private static final String BUCKET = "storage-test";

    @TempDir Path tmp;

    private S3Server server;
    private S3Client raw;
    private String prefix;
    private CheckpointStorage storage;

    @BeforeEach
    void setUp(S3Server server) {
        this.server = server;
        server.createBucket(BUCKET);
        raw = RawS3.of(server);
        prefix = "checkpoints-" + UUID.randomUUID().toString().substring(0, 8);
        storage = open(server, prefix, WeirConfig.empty());
    }

    @AfterEach
    void tearDown() {
        storage.deleteRecursively("");
        assertThat(rawKeys(prefix + "/")).as("objects left after deleting the root").isEmpty();
        storage.close();
        raw.close();
    }

    private static CheckpointStorage open(S3Server server, String prefix, WeirConfig extra) {
        WeirConfig config = WeirConfig.of(server.clientConfig()).merge(extra);
        return new S3CheckpointStorageFactory()
                .create(URI.create("s3://" + BUCKET + "/" + prefix), config);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 65_536, 200_003})
    void uploadThenDownloadRoundTripsTheBytesAndRecordsSizeAndCrc(int size) throws IOException {
        byte[] content = randomBytes(size);
        Path local = Files.write(tmp.resolve("local.sst"), content);

        FileRef ref = storage.upload(local, "job/shared/000001.sst");

        assertThat(ref).isEqualTo(new FileRef("job/shared/000001.sst", size, crc(content)));
        assertThat(rawGet("job/shared/000001.sst")).isEqualTo(content);
        Path target = tmp.resolve("restore/000001.sst");
        storage.download("", ref, target);
        assertThat(target).hasBinaryContent(content);
    }

    @Test
    void downloadResolvesTheFileRelativeToTheBaseDirectoryIncludingSharedFiles()
            throws IOException {
        byte[] own = randomBytes(1_000);
        byte[] shared = randomBytes(2_000);
        FileRef ownRef =
                storage.upload(
                        Files.write(tmp.resolve("own"), own), "job/chk-3/op-0/MANIFEST-000004");
        FileRef sharedRef =
                storage.upload(Files.write(tmp.resolve("shared"), shared), "job/shared/a.sst");

        storage.download(
                "job/chk-3",
                new FileRef("op-0/MANIFEST-000004", ownRef.size(), ownRef.crc32()),
                tmp.resolve("restore/MANIFEST-000004"));
        storage.download(
                "job/chk-3",
                new FileRef("../shared/a.sst", sharedRef.size(), sharedRef.crc32()),
                tmp.resolve("restore/a.sst"));

        assertThat(tmp.resolve("restore/MANIFEST-000004")).hasBinaryContent(own);
        assertThat(tmp.resolve("restore/a.sst")).hasBinaryContent(shared);
    }

    @Test
    void downloadOfAnObjectWithAFlippedByteFailsNamingTheS3Location() throws IOException {
        FileRef ref = uploadRandom("job/shared/000002.sst", 5_000);
        byte[] bytes = rawGet("job/shared/000002.sst");
        bytes[2_500] ^= 0x10;
        rawPut("job/shared/000002.sst", bytes);

        assertThatThrownBy(() -> storage.download("", ref, tmp.resolve("out")))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(location("job/shared/000002.sst"))
                .hasMessageContaining("CRC");
    }

    @Test
    void downloadOfATruncatedObjectFailsNamingTheS3Location() throws IOException {
        FileRef ref = uploadRandom("job/shared/000003.sst", 5_000);
        byte[] bytes = rawGet("job/shared/000003.sst");
        rawPut("job/shared/000003.sst", Arrays.copyOf(bytes, bytes.length - 1));

        assertThatThrownBy(() -> storage.download("", ref, tmp.resolve("out")))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(location("job/shared/000003.sst"))
                .hasMessageContaining("4999 bytes");
    }

    @Test
    void downloadOfAMissingObjectFailsNamingTheS3Location() throws IOException {
        FileRef ref = uploadRandom("job/shared/000004.sst", 10);
        raw.deleteObject(b -> b.bucket(BUCKET).key(key("job/shared/000004.sst")));

        assertThatThrownBy(() -> storage.download("", ref, tmp.resolve("out")))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(location("job/shared/000004.sst"))
                .hasMessageContaining("missing");
    }

    @Test
    void writeAtomicallyWritesAndOverwritesWithOneObject() {
        storage.writeAtomically("job/chk-1/_metadata", utf8("first"));
        assertThat(storage.read("job/chk-1/_metadata"))
                .hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("first")));

        storage.writeAtomically("job/chk-1/_metadata", utf8("second, longer"));

        assertThat(storage.read("job/chk-1/_metadata"))
                .hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("second, longer")));
        assertThat(storage.list("job/chk-1")).containsExactly("_metadata");
        assertThat(rawKeys(prefix + "/")).containsExactly(key("job/chk-1/_metadata"));
    }

    @Test
    void aWriteIfAbsentNeverReplacesAnExistingObject() {
        assertThat(storage.writeAtomicallyIfAbsent("job/chk-4/_metadata", utf8("mine"))).isTrue();

        assertThat(storage.writeAtomicallyIfAbsent("job/chk-4/_metadata", utf8("a zombie's")))
                .as("second conditional write of the same key")
                .isFalse();

        assertThat(storage.read("job/chk-4/_metadata"))
                .hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("mine")));
    }

    @Test
    void readOfAMissingObjectIsEmpty() {
        assertThat(storage.read("job/chk-9/_metadata")).isEmpty();
    }

    @Test
    void listNamesDirectChildrenSortedAndDeleteRecursivelyRemovesATree() throws IOException {
        storage.writeAtomically("job/chk-2/_metadata", utf8("m2"));
        storage.writeAtomically("job/chk-10/_metadata", utf8("m10"));
        uploadRandom("job/chk-10/op/000001.sst", 10);
        uploadRandom("job/shared/a.sst", 10);

        assertThat(storage.list("")).containsExactly("job");
        assertThat(storage.list("job")).containsExactly("chk-10", "chk-2", "shared");
        assertThat(storage.list("job/chk-10")).containsExactly("_metadata", "op");
        assertThat(storage.list("no-such-dir")).isEmpty();
        assertThat(storage.listFiles("job/chk-10"))
                .containsExactly("job/chk-10/_metadata", "job/chk-10/op/000001.sst");

        storage.deleteRecursively("job/chk-10");

        assertThat(storage.list("job")).containsExactly("chk-2", "shared");
        assertThat(rawKeys(key("job/chk-10/"))).isEmpty();
        assertThatCode(() -> storage.deleteRecursively("job/chk-10")).doesNotThrowAnyException();
        storage.deleteRecursively("job/shared/a.sst");
        assertThat(storage.listFiles("job")).containsExactly("job/chk-2/_metadata");
    }

    @Test
    void listFilesWithTimesGivesEveryObjectWithItsSizeAndLastModified() throws IOException {
        Instant before = Instant.now().minusSeconds(2);
        uploadRandom("job/chk-3/op/MANIFEST-1", 7);
        uploadRandom("job/shared/op/0/u/000009.sst", 33);
        Instant after = Instant.now().plusSeconds(2);

        List<StoredFile> files = storage.listFilesWithTimes("job");

        assertThat(files)
                .extracting(StoredFile::path, StoredFile::size)
                .containsExactly(
                        tuple("job/chk-3/op/MANIFEST-1", 7L),
                        tuple("job/shared/op/0/u/000009.sst", 33L));
        // S3 keeps LastModified in whole seconds.
        assertThat(files)
                .allSatisfy(
                        f -> assertThat(f.lastModified()).isBetween(before.minusSeconds(1), after));
        assertThat(storage.listFilesWithTimes("no-such-dir")).isEmpty();
    }

    @Test
    void listListFilesAndDeleteRecursivelyPagePastAThousandObjects() throws Exception {
        int half = 550;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < half; i++) {
                String n = String.format("%04d", i);
                puts.add(pool.submit(() -> storage.writeAtomically("many/f-" + n, utf8(n))));
                puts.add(pool.submit(() -> storage.writeAtomically("many/d-" + n + "/x", utf8(n))));
            }
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(raw.listObjectsV2(b -> b.bucket(BUCKET).prefix(key("many/"))).isTruncated())
                .as("the server pages listings of more than 1000 keys")
                .isTrue();

        List<String> names = storage.list("many");
        List<String> files = storage.listFiles("many");

        assertThat(names).hasSize(2 * half).doesNotHaveDuplicates().isSorted();
        assertThat(names).contains("d-0000", "d-0549", "f-0000", "f-0549");
        assertThat(files).hasSize(2 * half).doesNotHaveDuplicates().isSorted();
        assertThat(files).contains("many/d-0549/x", "many/f-0549");

        storage.deleteRecursively("many");

        assertThat(storage.listFiles("many")).isEmpty();
        assertThat(rawKeys(key("many/"))).isEmpty();
    }

    @Test
    void aLargeFileIsUploadedInPartsAndRoundTrips() throws IOException {
        long mib = 1024 * 1024;
        WeirConfig small =
                WeirConfig.empty()
                        .with(S3Options.MULTIPART_THRESHOLD_BYTES, 5 * mib)
                        .with(S3Options.MULTIPART_PART_BYTES, 5 * mib);
        byte[] content = randomBytes((int) (12 * mib + 12_345));
        Path local = Files.write(tmp.resolve("big.sst"), content);
        try (CheckpointStorage multipart = open(server, prefix, small)) {
            FileRef ref = multipart.upload(local, "job/shared/big.sst");

            assertThat(ref)
                    .isEqualTo(new FileRef("job/shared/big.sst", content.length, crc(content)));
            assertThat(raw.headObject(b -> b.bucket(BUCKET).key(key("job/shared/big.sst"))).eTag())
                    .as("a multipart upload's ETag ends in -<parts>")
                    .endsWith("-3\"");
            assertThat(raw.listMultipartUploads(b -> b.bucket(BUCKET)).uploads())
                    .as("uploads left open")
                    .isEmpty();
            multipart.download("", ref, tmp.resolve("restore/big.sst"));
        }
        assertThat(Files.mismatch(local, tmp.resolve("restore/big.sst"))).isEqualTo(-1);
    }

    @Test
    void aMultipartUploadThatFailsIsAbortedLeavingNoPartsAndNoObject() throws IOException {
        // Parts of 1 MiB are below S3's 5 MiB minimum, so completing the upload fails.
        int mib = 1024 * 1024;
        S3Uploader tooSmallParts = new S3Uploader(raw, BUCKET, mib, mib);
        Path local = Files.write(tmp.resolve("big.sst"), randomBytes(3 * mib));

        assertThatThrownBy(() -> tooSmallParts.upload(local, 3 * mib, key("job/shared/big.sst")))
                .isInstanceOf(S3Exception.class);

        assertThat(raw.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads())
                .as("uploads left open")
                .isEmpty();
        assertThat(storage.listFiles("job")).isEmpty();
    }

    @Test
    void thePartSizeGrowsForFilesThatWouldNeedMoreThanTenThousandParts() {
        long mib = 1024 * 1024;
        assertThat(S3Uploader.partSize(100 * mib, 8 * mib)).isEqualTo(8 * mib);
        assertThat(S3Uploader.partSize(200_000 * mib, 8 * mib)).isEqualTo(20 * mib);
        long odd = 10_000 * 8 * mib + 1;
        assertThat(S3Uploader.partSize(odd, 8 * mib) * S3Uploader.MAX_PARTS)
                .isGreaterThanOrEqualTo(odd);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"../x", "job/../../x", "../checkpoints-other/x", "/etc/passwd"})
    void pathsLeavingTheRootAreRejected(String path) throws IOException {
        Path local = Files.write(tmp.resolve("local"), utf8("data"));

        assertThatThrownBy(() -> storage.upload(local, path))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining(path);
        assertThatThrownBy(() -> storage.writeAtomically(path, utf8("x")))
                .hasMessageContaining(path);
        assertThatThrownBy(() -> storage.read(path)).hasMessageContaining(path);
        assertThatThrownBy(() -> storage.list(path)).hasMessageContaining(path);
        assertThatThrownBy(() -> storage.listFiles(path)).hasMessageContaining(path);
        assertThatThrownBy(() -> storage.deleteRecursively(path)).hasMessageContaining(path);
        assertThat(rawKeys(""))
                .doesNotContain("x", "checkpoints-other/x", "etc/passwd", "/etc/passwd");
    }

    @Test
    void downloadOfAFileRefLeavingTheRootIsRejected() {
        rawPutKey("secret", utf8("data"));
        FileRef escaping = new FileRef("../secret", 4, crc(utf8("data")));

        assertThatThrownBy(() -> storage.download("", escaping, tmp.resolve("out")))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("../secret");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void describeGivesTheS3Uri() {
        assertThat(storage.describe("job/chk-1/_metadata"))
                .isEqualTo("s3://" + BUCKET + "/" + prefix + "/job/chk-1/_metadata");
        assertThat(storage.describe("job/chk-1/../shared/a.sst"))
                .isEqualTo("s3://" + BUCKET + "/" + prefix + "/job/shared/a.sst");
    }

    @Test
    void theFactoryIsFoundByItsSchemeAndNeverShowsTheSecretKey() {
        assertThat(java.util.ServiceLoader.load(dev.weir.spi.CheckpointStorageFactory.class))
                .anySatisfy(f -> assertThat(f).isInstanceOf(S3CheckpointStorageFactory.class));
        assertThat(storage.toString()).doesNotContain(server.secretKey());
        assertThat(storage.describe("x")).doesNotContain(server.secretKey());

        WeirConfig onlySecret =
                WeirConfig.of(Map.of("s3.secret-key", "do-not-show-me", "s3.region", "eu-west-1"));
        assertThatThrownBy(
                        () ->
                                new S3CheckpointStorageFactory()
                                        .create(URI.create("s3://b/p"), onlySecret))
                .hasMessageContaining("s3.access-key")
                .hasMessageContaining("s3.secret-key")
                .hasMessageNotContaining("do-not-show-me");
        assertThatThrownBy(
                        () ->
                                new S3CheckpointStorageFactory()
                                        .create(
                                                URI.create("s3://b/p"),
                                                WeirConfig.of(
                                                        Map.of("s3.endpoint", "localhost:9000"))))
                .hasMessageContaining("s3.endpoint")
                .hasMessageContaining("http://");
        assertThatThrownBy(
                        () ->
                                new S3CheckpointStorageFactory()
                                        .create(URI.create("s3:///no-bucket"), WeirConfig.empty()))
                .hasMessageContaining("s3:///no-bucket");
    }

    @Test
    void anUnreachableStoreFailsWithTheLocationAndIsNotTakenForDamage() throws IOException {
        try (S3Server down = S3Server.startPrivate()) {
            down.createBucket(BUCKET);
            try (CheckpointStorage s = open(down, prefix, WeirConfig.empty())) {
                FileRef ref = s.upload(Files.write(tmp.resolve("f"), utf8("data")), "job/f");
                down.stop();

                assertThatThrownBy(() -> s.download("", ref, tmp.resolve("out")))
                        .isInstanceOf(WeirException.class)
                        .isNotInstanceOf(CorruptCheckpointException.class)
                        .hasMessageContaining(location("job/f"));
                assertThatThrownBy(() -> s.writeAtomically("job/chk-1/_metadata", utf8("m")))
                        .hasMessageContaining(location("job/chk-1/_metadata"));
                assertThatThrownBy(() -> s.list("job")).hasMessageContaining(location("job"));

                down.start();
                s.download("", ref, tmp.resolve("out"));
                assertThat(tmp.resolve("out")).hasContent("data");
            }
        }
    }

    // --- helpers ---

    private String key(String path) {
        return prefix + "/" + path;
    }

    private String location(String path) {
        return "s3://" + BUCKET + "/" + key(path);
    }

    private byte[] rawGet(String path) {
        return raw.getObjectAsBytes(b -> b.bucket(BUCKET).key(key(path))).asByteArray();
    }

    private void rawPut(String path, byte[] bytes) {
        rawPutKey(key(path), bytes);
    }

    private void rawPutKey(String key, byte[] bytes) {
        raw.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
    }

    private List<String> rawKeys(String keyPrefix) {
        return raw
                .listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(keyPrefix))
                .contents()
                .stream()
                .map(S3Object::key)
                .toList();
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
