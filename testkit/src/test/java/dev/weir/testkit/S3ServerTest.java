package dev.weir.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

@ExtendWith(S3Extension.class)
@Timeout(60)
class S3ServerTest {

    @Test
    void theExtensionInjectsTheSharedServerWhichChecksCredentials(S3Server server) {
        assertThat(server).isSameAs(S3Server.shared());
        assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
        server.createBucket("server-test");
        server.createBucket("server-test");

        try (S3Client s3 = client(server, server.secretKey())) {
            s3.putObject(b -> b.bucket("server-test").key("a/b"), RequestBody.fromString("x"));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("server-test").key("a/b")).asUtf8String())
                    .isEqualTo("x");
        }
        try (S3Client wrong = client(server, "not-the-secret")) {
            assertThatThrownBy(() -> wrong.listObjectsV2(b -> b.bucket("server-test")))
                    .isInstanceOf(S3Exception.class)
                    .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(403));
        }
    }

    @Test
    void theSharedServerCannotBeStoppedOrClosedByOneTest(S3Server server) {
        assertThatThrownBy(server::stop).hasMessageContaining("startPrivate");
        server.close();
        assertThat(server.isRunning()).isTrue();
    }

    @Test
    void aPrivateServerComesBackOnTheSamePortWithItsObjectsAfterAnOutage() {
        try (S3Server server = S3Server.startPrivate();
                S3Client s3 = client(server, server.secretKey())) {
            assertThat(server).isNotSameAs(S3Server.shared());
            server.createBucket("outage");
            s3.putObject(b -> b.bucket("outage").key("k"), RequestBody.fromString("kept"));
            var endpoint = server.endpoint();

            server.stop();

            assertThat(server.isRunning()).isFalse();
            assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("outage").key("k")))
                    .isInstanceOf(SdkClientException.class);

            server.start();

            assertThat(server.endpoint()).isEqualTo(endpoint);
            assertThat(s3.getObjectAsBytes(b -> b.bucket("outage").key("k")).asUtf8String())
                    .isEqualTo("kept");
        }
    }

    private static S3Client client(S3Server server, String secret) {
        return S3Client.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(server.region()))
                .forcePathStyle(true)
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(server.accessKey(), secret)))
                .build();
    }
}
