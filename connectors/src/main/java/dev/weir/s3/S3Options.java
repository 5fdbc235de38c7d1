package dev.weir.s3;

import dev.weir.config.ConfigOption;
import java.util.List;

/**
 * Configuration of the S3 checkpoint storage, used when {@code checkpoint.dir} is an {@code
 * s3://bucket/prefix} URI. Credentials come from the AWS SDK's default provider chain (environment,
 * system properties, profile files, container and instance roles) unless both {@link #ACCESS_KEY}
 * and {@link #SECRET_KEY} are set; neither key's value is ever logged or shown in a description.
 */
public final class S3Options {
    private S3Options() {}

    /** A yes/no option: {@link ConfigOption} has no boolean type, so the values are an enum. */
    public enum Flag {
        TRUE,
        FALSE;

        boolean isSet() {
            return this == TRUE;
        }
    }

    static final long MIB = 1024L * 1024;

    /** S3's smallest part, except for the last one of an upload. */
    static final long MIN_PART_BYTES = 5 * MIB;

    /** S3's largest single PUT; parts are buffered in memory so they stay far below it. */
    static final long MAX_PUT_BYTES = 5 * 1024 * MIB;

    static final long MAX_PART_BYTES = 512 * MIB;

    public static final ConfigOption<String> ENDPOINT =
            ConfigOption.string(
                    "s3.endpoint",
                    "",
                    "Endpoint of an S3-compatible store, e.g. http://127.0.0.1:9000 (empty: AWS's"
                            + " endpoint for s3.region)");

    public static final ConfigOption<String> REGION =
            ConfigOption.string(
                    "s3.region",
                    "us-east-1",
                    "Region of the bucket (also used to sign requests to an S3-compatible store)");

    public static final ConfigOption<Flag> PATH_STYLE =
            ConfigOption.enumeration(
                    "s3.path-style",
                    Flag.class,
                    Flag.FALSE,
                    "Address buckets as <endpoint>/<bucket> instead of <bucket>.<endpoint>; most"
                            + " S3-compatible stores (MinIO, S3Proxy, Ceph) need true");

    public static final ConfigOption<Long> MULTIPART_THRESHOLD_BYTES =
            ConfigOption.longValue(
                    "s3.multipart.threshold-bytes",
                    16 * MIB,
                    MIN_PART_BYTES,
                    MAX_PUT_BYTES,
                    "Files of at least this size are uploaded in parts (multipart upload), smaller"
                            + " ones with a single PUT");

    public static final ConfigOption<Long> MULTIPART_PART_BYTES =
            ConfigOption.longValue(
                    "s3.multipart.part-bytes",
                    8 * MIB,
                    MIN_PART_BYTES,
                    MAX_PART_BYTES,
                    "Size of each part of a multipart upload (the last may be smaller); each"
                            + " upload thread buffers one part in memory. Grows by itself for files"
                            + " that would need more than 10000 parts");

    public static final ConfigOption<String> ACCESS_KEY =
            ConfigOption.string(
                    "s3.access-key",
                    "",
                    "Access key id; with s3.secret-key, replaces the SDK's default credentials"
                            + " chain (empty: use the chain)");

    public static final ConfigOption<String> SECRET_KEY =
            ConfigOption.string(
                    "s3.secret-key",
                    "",
                    "Secret access key, set together with s3.access-key; never logged");

    public static List<ConfigOption<?>> all() {
        return List.of(
                ENDPOINT,
                REGION,
                PATH_STYLE,
                MULTIPART_THRESHOLD_BYTES,
                MULTIPART_PART_BYTES,
                ACCESS_KEY,
                SECRET_KEY);
    }
}
