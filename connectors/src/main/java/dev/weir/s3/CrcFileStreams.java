package dev.weir.s3;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * The body of a single PUT of a local file: each call of {@link #newStream()} (the SDK asks again
 * for a retry) opens the file afresh and computes the CRC-32 of exactly the bytes the SDK reads, so
 * the checksum recorded in the checkpoint is the one of what the successful attempt sent. Not
 * thread-safe: one request uses it.
 */
final class CrcFileStreams implements ContentStreamProvider {
    private final Path file;
    private final long length;
    private Stream last;

    CrcFileStreams(Path file, long length) {
        this.file = file;
        this.length = length;
    }

    @Override
    public InputStream newStream() {
        closeLast();
        try {
            last = new Stream(Files.newInputStream(file), length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return last;
    }

    @Override
    public String name() {
        return "CrcFileStreams";
    }

    /**
     * The CRC-32 of the stream opened last, which the SDK must have read to the end.
     *
     * @throws IllegalStateException if it was not read whole
     */
    int crcOfLastStream() {
        if (length == 0 && last == null) {
            return 0;
        }
        if (last == null || last.remaining != 0) {
            throw new IllegalStateException(
                    "the S3 client did not read all "
                            + length
                            + " bytes of "
                            + file
                            + (last == null ? "" : " (" + last.remaining + " left)"));
        }
        return (int) last.crc.getValue();
    }

    void closeLast() {
        if (last != null) {
            try {
                last.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** At most {@code length} bytes of a file, summed into a CRC-32 as they are read. */
    private static final class Stream extends InputStream {
        private final InputStream in;
        final CRC32 crc = new CRC32();
        long remaining;

        Stream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException(
                        "file shrank while it was uploaded: " + remaining + " bytes missing");
            }
            crc.update(b, off, n);
            remaining -= n;
            return n;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
