package dev.weir.s3;

import dev.weir.WeirException;
import dev.weir.format.FileRef;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CorruptCheckpointException;
import dev.weir.spi.StoredFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.zip.CRC32;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Checkpoint storage in an S3 bucket (AWS or any S3-compatible store) under {@code
 * s3://bucket/prefix/<job>}: paths are object keys below that prefix, and "directories" are key
 * prefixes ending in {@code /}.
 *
 * <p>What is atomic: S3 makes an object visible whole or not at all, so {@link #writeAtomically} is
 * one PUT and a reader never sees part of a {@code _metadata} file. A multipart upload becomes
 * visible only when it completes; one that fails is aborted. Listings and deletes of many objects
 * are not atomic: a crash in the middle of {@link #deleteRecursively} leaves a part of the tree,
 * which the next garbage collection finds again.
 *
 * <p>Errors: a missing or damaged file on {@link #download} is a {@link CorruptCheckpointException}
 * (restore falls back to an older checkpoint); any other failure (the store is unreachable, access
 * is denied) is a plain {@link WeirException} naming the {@code s3://} location, so an outage is
 * retried by the job's restart strategy rather than taken for damage. Thread-safe: the SDK client
 * is, and this class holds no other mutable state.
 */
final class S3CheckpointStorage implements CheckpointStorage {
    private static final int DELETE_BATCH = 1000;

    private final S3Client s3;
    private final S3Root root;
    private final S3Uploader uploader;

    S3CheckpointStorage(S3Client s3, S3Root root, long thresholdBytes, long partBytes) {
        this.s3 = s3;
        this.root = root;
        this.uploader = new S3Uploader(s3, root.bucket(), thresholdBytes, partBytes);
    }

    @Override
    public FileRef upload(Path localFile, String path) {
        String key = root.key(path);
        try {
            long size = Files.size(localFile);
            int crc = uploader.upload(localFile, size, key);
            return new FileRef(path, size, crc);
        } catch (IOException | RuntimeException e) {
            throw failure("cannot upload " + localFile + " to", key, e);
        }
    }

    @Override
    public void download(String baseDir, FileRef file, Path localTarget) {
        String key = root.key(baseDir.isEmpty() ? file.path() : baseDir + "/" + file.path());
        String location = root.location(key);
        CRC32 crc = new CRC32();
        long size = 0;
        try {
            Files.createDirectories(localTarget.toAbsolutePath().getParent());
            try (ResponseInputStream<GetObjectResponse> in =
                            s3.getObject(b -> b.bucket(root.bucket()).key(key));
                    OutputStream out = Files.newOutputStream(localTarget)) {
                size = copy(in, out, crc);
            }
        } catch (NoSuchKeyException e) {
            throw new CorruptCheckpointException("checkpoint file " + location + " is missing", e);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new CorruptCheckpointException(
                        "checkpoint file " + location + " is missing", e);
            }
            throw failure("cannot read checkpoint file", key, e);
        } catch (IOException | SdkException e) {
            throw failure("cannot read checkpoint file", key, e);
        }
        int found = (int) crc.getValue();
        if (size != file.size() || found != file.crc32()) {
            throw new CorruptCheckpointException(
                    "checkpoint file "
                            + location
                            + " is damaged: expected "
                            + file.size()
                            + " bytes with CRC-32 "
                            + Integer.toHexString(file.crc32())
                            + ", found "
                            + size
                            + " bytes with CRC-32 "
                            + Integer.toHexString(found));
        }
    }

    private static long copy(InputStream in, OutputStream out, CRC32 crc) throws IOException {
        byte[] buf = new byte[1 << 16];
        long size = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            crc.update(buf, 0, n);
            out.write(buf, 0, n);
            size += n;
        }
        return size;
    }

    /** One PUT: S3 shows a reader the old object or the new one, never a mix or a partial one. */
    @Override
    public void writeAtomically(String path, byte[] data) {
        String key = root.key(path);
        try {
            s3.putObject(b -> b.bucket(root.bucket()).key(key), RequestBody.fromBytes(data));
        } catch (SdkException e) {
            throw failure("cannot write", key, e);
        }
    }

    /**
     * One PUT with {@code If-None-Match: *}: S3 (and compatible stores with conditional writes)
     * answers 412 if the key exists. A store that ignores the header would overwrite; the
     * incarnation recorded in the metadata and in the commit record still catches that at restore.
     */
    @Override
    public boolean writeAtomicallyIfAbsent(String path, byte[] data) {
        String key = root.key(path);
        try {
            s3.putObject(
                    b -> b.bucket(root.bucket()).key(key).ifNoneMatch("*"),
                    RequestBody.fromBytes(data));
            return true;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 412) {
                return false;
            }
            throw failure("cannot write", key, e);
        } catch (SdkException e) {
            throw failure("cannot write", key, e);
        }
    }

    @Override
    public Optional<byte[]> read(String path) {
        String key = root.key(path);
        try {
            return Optional.of(
                    s3.getObjectAsBytes(b -> b.bucket(root.bucket()).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("cannot read", key, e);
        }
    }

    @Override
    public List<String> list(String dir) {
        String prefix = root.dirPrefix(dir);
        TreeSet<String> names = new TreeSet<>();
        try {
            for (ListObjectsV2Response page :
                    s3.listObjectsV2Paginator(
                            b -> b.bucket(root.bucket()).prefix(prefix).delimiter("/"))) {
                for (CommonPrefix p : page.commonPrefixes()) {
                    names.add(p.prefix().substring(prefix.length(), p.prefix().length() - 1));
                }
                for (S3Object o : page.contents()) {
                    names.add(o.key().substring(prefix.length()));
                }
            }
        } catch (SdkException e) {
            throw failure("cannot list", root.key(dir), e);
        }
        names.remove("");
        return List.copyOf(names);
    }

    @Override
    public List<String> listFiles(String dir) {
        String prefix = root.dirPrefix(dir);
        TreeSet<String> files = new TreeSet<>();
        try {
            for (ListObjectsV2Response page :
                    s3.listObjectsV2Paginator(b -> b.bucket(root.bucket()).prefix(prefix))) {
                for (S3Object o : page.contents()) {
                    if (!o.key().endsWith("/")) {
                        files.add(root.relative(o.key()));
                    }
                }
            }
        } catch (SdkException e) {
            throw failure("cannot list", root.key(dir), e);
        }
        return List.copyOf(files);
    }

    @Override
    public List<StoredFile> listFilesWithTimes(String dir) {
        String prefix = root.dirPrefix(dir);
        List<StoredFile> files = new ArrayList<>();
        try {
            for (ListObjectsV2Response page :
                    s3.listObjectsV2Paginator(b -> b.bucket(root.bucket()).prefix(prefix))) {
                for (S3Object o : page.contents()) {
                    if (!o.key().endsWith("/")) {
                        files.add(
                                new StoredFile(root.relative(o.key()), o.size(), o.lastModified()));
                    }
                }
            }
        } catch (SdkException e) {
            throw failure("cannot list", root.key(dir), e);
        }
        files.sort(java.util.Comparator.comparing(StoredFile::path));
        return files;
    }

    /**
     * Deletes every object under {@code dir} (and an object named exactly {@code dir}), a page of
     * the listing at a time, in batches of at most 1000 keys.
     */
    @Override
    public void deleteRecursively(String dir) {
        String prefix = root.dirPrefix(dir);
        List<String> batch = new ArrayList<>();
        if (!root.normalize(dir).isEmpty()) {
            batch.add(root.key(dir));
        }
        try {
            for (ListObjectsV2Response page :
                    s3.listObjectsV2Paginator(b -> b.bucket(root.bucket()).prefix(prefix))) {
                for (S3Object o : page.contents()) {
                    batch.add(o.key());
                    if (batch.size() == DELETE_BATCH) {
                        delete(batch);
                        batch.clear();
                    }
                }
            }
            if (!batch.isEmpty()) {
                delete(batch);
            }
        } catch (SdkException e) {
            throw failure("cannot delete", root.key(dir), e);
        }
    }

    private void delete(List<String> keys) {
        List<ObjectIdentifier> ids =
                keys.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
        DeleteObjectsResponse r =
                s3.deleteObjects(
                        b -> b.bucket(root.bucket()).delete(d -> d.objects(ids).quiet(true)));
        if (!r.errors().isEmpty()) {
            S3Error first = r.errors().get(0);
            throw new WeirException(
                    "cannot delete "
                            + r.errors().size()
                            + " of "
                            + keys.size()
                            + " objects, e.g. "
                            + root.location(first.key())
                            + ": "
                            + first.code()
                            + " "
                            + first.message());
        }
    }

    @Override
    public String describe(String path) {
        return root.location(root.key(path));
    }

    @Override
    public void close() {
        s3.close();
    }

    @Override
    public String toString() {
        return "S3CheckpointStorage[" + root + "]";
    }

    private WeirException failure(String what, String key, Exception e) {
        return new WeirException(what + " " + root.location(key) + ": " + e.getMessage(), e);
    }
}
