package dev.weir.internal;

import dev.weir.WeirException;
import dev.weir.format.CheckpointMetadata;
import dev.weir.format.MetadataSerializer;
import dev.weir.spi.CheckpointStorage;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A savepoint riding on one checkpoint: its directory, the storage opened for it (owned here and
 * closed once the savepoint ends, however it ends) and the caller's future. Its {@code _metadata}
 * is published only after the checkpoint committed (docs/architecture.md §5): until then the
 * directory holds data files that nothing restores. Confined to the coordinator thread.
 */
final class PendingSavepoint {
    private static final Logger LOG = LoggerFactory.getLogger(PendingSavepoint.class);

    /** A savepoint asked for: where it goes, and whether the job stops after it. */
    record Request(String directory, boolean stopAfter, CompletableFuture<String> result) {}

    private final String jobName;
    private final long checkpointId;
    private final Request request;
    private final String location;
    private final CheckpointStorage storage;
    private boolean published;

    private PendingSavepoint(
            String jobName,
            long checkpointId,
            Request request,
            String location,
            CheckpointStorage storage) {
        this.jobName = jobName;
        this.checkpointId = checkpointId;
        this.request = request;
        this.location = location;
        this.storage = storage;
    }

    /**
     * Opens the savepoint's own directory {@code <directory>/savepoint-<job>-<id>}.
     *
     * @throws WeirException if its storage cannot be opened (the request is then failed too)
     */
    static PendingSavepoint open(
            String jobName,
            long checkpointId,
            Request request,
            Function<String, CheckpointStorage> opener) {
        String location =
                request.directory().replaceAll("/+$", "")
                        + "/savepoint-"
                        + jobName
                        + "-"
                        + checkpointId;
        CheckpointStorage storage;
        try {
            storage = opener.apply(location);
        } catch (RuntimeException e) {
            throw refuse(
                    request, checkpointId, "cannot open " + location + ": " + e.getMessage(), e);
        }
        boolean exists;
        try {
            exists = storage.read(CheckpointMetadata.FILE_NAME).isPresent();
        } catch (RuntimeException e) {
            storage.close();
            throw refuse(
                    request, checkpointId, "cannot read " + location + ": " + e.getMessage(), e);
        }
        if (exists) {
            // Savepoints belong to the user: never overwrite one (e.g. a job whose checkpoint
            // directory was wiped counts its ids from 1 again).
            storage.close();
            throw refuse(
                    request,
                    checkpointId,
                    location + " already holds a savepoint; Weir never overwrites one",
                    null);
        }
        return new PendingSavepoint(jobName, checkpointId, request, location, storage);
    }

    private static WeirException refuse(
            Request request, long checkpointId, String why, Throwable cause) {
        WeirException failure =
                new WeirException("savepoint " + checkpointId + " failed: " + why, cause);
        request.result().completeExceptionally(failure);
        return failure;
    }

    CheckpointStorage storage() {
        return storage;
    }

    String location() {
        return location;
    }

    boolean stopAfter() {
        return request.stopAfter();
    }

    /**
     * Writes the savepoint's {@code _metadata}, which makes it complete. Call only after the
     * checkpoint it rides on committed.
     *
     * @return the reason it could not be written, if it could not
     */
    Optional<String> publish(CheckpointMetadata metadata) {
        try {
            storage.writeAtomically(
                    CheckpointMetadata.FILE_NAME, MetadataSerializer.serialize(metadata));
            published = true;
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.error(
                    "job {}: writing savepoint {} into {} failed: {}",
                    jobName,
                    checkpointId,
                    location,
                    e.toString(),
                    e);
            return Optional.of("writing " + location + "/_metadata failed: " + e.getMessage());
        }
    }

    /**
     * Ends the savepoint: completes the caller's future with its location if it was published, else
     * deletes the data files it wrote and fails the future with {@code failure}; closes its storage
     * either way. Upload threads may still be writing a failed savepoint's files; what they write
     * after the delete is left behind without {@code _metadata}, restored by nothing.
     */
    void finish(Optional<String> failure) {
        try {
            if (published) {
                request.result().complete(location);
            } else {
                deleteQuietly();
                request.result()
                        .completeExceptionally(
                                new WeirException(
                                        "savepoint "
                                                + checkpointId
                                                + " failed: "
                                                + failure.orElse("its checkpoint did not commit")));
            }
        } finally {
            close();
        }
    }

    private void deleteQuietly() {
        try {
            storage.deleteRecursively("");
        } catch (RuntimeException e) {
            LOG.warn(
                    "job {}: could not delete the files of failed savepoint {}: {}",
                    jobName,
                    location,
                    e.toString());
        }
    }

    private void close() {
        try {
            storage.close();
        } catch (RuntimeException e) {
            LOG.warn(
                    "job {}: closing the storage of savepoint {} failed: {}",
                    jobName,
                    location,
                    e.toString());
        }
    }
}
