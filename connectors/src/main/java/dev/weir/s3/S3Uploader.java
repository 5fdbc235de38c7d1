package dev.weir.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Uploads a local file to one object, computing its CRC-32 from the bytes sent: a single PUT below
 * the multipart threshold, otherwise a multipart upload of parts read one at a time into a buffer
 * (the CRC-32 runs over the file once, in order, whatever the SDK retries), aborted if any step
 * fails so no parts are left behind. Thread-safe: each call has its own buffer.
 */
final class S3Uploader {
    static final int MAX_PARTS = 10_000;
    private static final String OCTETS = "application/octet-stream";

    private final S3Client s3;
    private final String bucket;
    private final long thresholdBytes;
    private final long partBytes;

    S3Uploader(S3Client s3, String bucket, long thresholdBytes, long partBytes) {
        this.s3 = s3;
        this.bucket = bucket;
        this.thresholdBytes = thresholdBytes;
        this.partBytes = partBytes;
    }

    /** Uploads {@code file} ({@code size} bytes) to {@code key}, returning its CRC-32. */
    int upload(Path file, long size, String key) throws IOException {
        return size < thresholdBytes ? put(file, size, key) : multipart(file, size, key);
    }

    private int put(Path file, long size, String key) {
        CrcFileStreams body = new CrcFileStreams(file, size);
        try {
            s3.putObject(
                    b -> b.bucket(bucket).key(key).contentLength(size),
                    RequestBody.fromContentProvider(body, size, OCTETS));
            return body.crcOfLastStream();
        } finally {
            body.closeLast();
        }
    }

    /** The part size for a file: the configured one, larger if S3's 10000 parts need it. */
    static long partSize(long fileSize, long configured) {
        long needed = (fileSize + MAX_PARTS - 1) / MAX_PARTS;
        return Math.max(configured, needed);
    }

    private int multipart(Path file, long size, String key) throws IOException {
        long part = partSize(size, partBytes);
        String uploadId =
                s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(OCTETS))
                        .uploadId();
        try {
            CRC32 crc = new CRC32();
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buffer = new byte[(int) Math.min(part, size)];
            try (InputStream in = Files.newInputStream(file)) {
                for (long sent = 0; sent < size; ) {
                    int n = (int) Math.min(part, size - sent);
                    if (in.readNBytes(buffer, 0, n) != n) {
                        throw new IOException("file shrank while it was uploaded");
                    }
                    crc.update(buffer, 0, n);
                    parts.add(uploadPart(key, uploadId, parts.size() + 1, buffer, n));
                    sent += n;
                }
                if (in.read() >= 0) {
                    throw new IOException("file grew while it was uploaded");
                }
            }
            s3.completeMultipartUpload(
                    b ->
                            b.bucket(bucket)
                                    .key(key)
                                    .uploadId(uploadId)
                                    .multipartUpload(u -> u.parts(parts)));
            return (int) crc.getValue();
        } catch (IOException | RuntimeException e) {
            abort(key, uploadId, e);
            throw e;
        }
    }

    private CompletedPart uploadPart(
            String key, String uploadId, int number, byte[] buffer, int length) {
        UploadPartResponse r =
                s3.uploadPart(
                        b ->
                                b.bucket(bucket)
                                        .key(key)
                                        .uploadId(uploadId)
                                        .partNumber(number)
                                        .contentLength((long) length),
                        RequestBody.fromContentProvider(
                                () -> new ByteArrayInputStream(buffer, 0, length), length, OCTETS));
        return CompletedPart.builder()
                .partNumber(number)
                .eTag(r.eTag())
                .checksumCRC32(r.checksumCRC32())
                .build();
    }

    private void abort(String key, String uploadId, Exception cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
