package dev.weir.s3;

import dev.weir.WeirException;
import dev.weir.config.WeirConfig;
import dev.weir.spi.CheckpointStorage;
import dev.weir.spi.CheckpointStorageFactory;
import java.net.URI;
import java.net.URISyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Serves {@code s3://bucket/prefix} checkpoint directories (found through {@link
 * java.util.ServiceLoader}), configured by {@link S3Options}. Each storage owns its own SDK client,
 * closed with it.
 */
public final class S3CheckpointStorageFactory implements CheckpointStorageFactory {
    private static final Logger LOG = LoggerFactory.getLogger(S3CheckpointStorageFactory.class);

    /** Connections per storage: enough for the upload threads of a process and the coordinator. */
    private static final int MAX_CONNECTIONS = 32;

    @Override
    public String scheme() {
        return "s3";
    }

    @Override
    public CheckpointStorage create(URI root, WeirConfig config) {
        S3Root s3Root = S3Root.of(root);
        String endpoint = config.get(S3Options.ENDPOINT);
        boolean pathStyle = config.get(S3Options.PATH_STYLE).isSet();
        S3ClientBuilder b =
                S3Client.builder()
                        .region(Region.of(config.get(S3Options.REGION)))
                        .forcePathStyle(pathStyle)
                        .credentialsProvider(credentials(config))
                        .httpClientBuilder(
                                Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS));
        if (!endpoint.isEmpty()) {
            b.endpointOverride(endpoint(endpoint));
        }
        LOG.info(
                "S3 checkpoint storage at {} (endpoint {}, region {}, path-style {}, credentials"
                        + " from {})",
                s3Root,
                endpoint.isEmpty() ? "AWS" : endpoint,
                config.get(S3Options.REGION),
                pathStyle,
                config.get(S3Options.ACCESS_KEY).isEmpty() ? "the default chain" : "s3.access-key");
        return new S3CheckpointStorage(
                b.build(),
                s3Root,
                config.get(S3Options.MULTIPART_THRESHOLD_BYTES),
                config.get(S3Options.MULTIPART_PART_BYTES));
    }

    /** Static keys when both are set, the SDK's default chain when neither is. */
    static AwsCredentialsProvider credentials(WeirConfig config) {
        String accessKey = config.get(S3Options.ACCESS_KEY);
        String secretKey = config.get(S3Options.SECRET_KEY);
        if (accessKey.isEmpty() != secretKey.isEmpty()) {
            throw new WeirException(
                    "config keys '"
                            + S3Options.ACCESS_KEY.key()
                            + "' and '"
                            + S3Options.SECRET_KEY.key()
                            + "' must be set together (or neither, to use the AWS SDK's default"
                            + " credentials chain); only '"
                            + (accessKey.isEmpty() ? S3Options.SECRET_KEY : S3Options.ACCESS_KEY)
                                    .key()
                            + "' is set");
        }
        if (accessKey.isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }

    private static URI endpoint(String value) {
        URI u;
        try {
            u = new URI(value);
        } catch (URISyntaxException e) {
            throw invalidEndpoint(value);
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                || u.getHost() == null) {
            throw invalidEndpoint(value);
        }
        return u;
    }

    private static WeirException invalidEndpoint(String value) {
        return new WeirException(
                "invalid value '"
                        + value
                        + "' for config key '"
                        + S3Options.ENDPOINT.key()
                        + "': must be an http:// or https:// URL, like http://127.0.0.1:9000");
    }
}
