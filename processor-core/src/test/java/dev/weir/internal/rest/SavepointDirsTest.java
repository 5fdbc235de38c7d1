package dev.weir.internal.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which {@code dir=} a REST request may write a savepoint to, under {@code savepoint.dir}. */
class SavepointDirsTest {
    private final SavepointDirs dirs = new SavepointDirs("s3://bucket/weir/savepoints/", false);

    @ParameterizedTest
    @ValueSource(
            strings = {
                "s3://bucket/weir/savepoints",
                "s3://bucket/weir/savepoints/",
                "s3://bucket/weir/savepoints/nightly",
                "S3://bucket/weir//savepoints/nightly/",
            })
    void aDirUnderSavepointDirIsAllowed(String dir) {
        assertThat(dirs.check(dir)).isEqualTo(dir);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "s3://other-bucket/weir/savepoints/nightly",
                "s3://bucket/weir/savepoints-evil",
                "s3://bucket/weir",
                "file:///weir/savepoints/nightly",
                "s3://bucket@evil/weir/savepoints/x",
            })
    void aDirElsewhereIsForbiddenNamingTheKey(String dir) {
        assertThatThrownBy(() -> dirs.check(dir))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(403))
                .hasMessageContaining("rest.savepoint.allow-any-dir=true");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "s3://bucket/weir/savepoints/../../x",
                "s3://bucket/weir/savepoints/%2E%2E/x",
                "s3://bucket/weir/savepoints/./x",
                "s3://bucket/weir/savepoints/x?versionId=1",
                "relative/dir",
                "/abs/../dir",
                "mailto:someone",
            })
    void aMalformedDirIsABadRequestEvenWhenAnyDirIsAllowed(String dir) {
        SavepointDirs any = new SavepointDirs("", true);
        for (SavepointDirs d : new SavepointDirs[] {dirs, any}) {
            assertThatThrownBy(() -> d.check(dir))
                    .isInstanceOfSatisfying(
                            HttpError.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///anywhere/at/all", "s3://another/bucket", "/plain/path"})
    void anyDirIsAllowedWhenConfigured(String dir) {
        assertThat(new SavepointDirs("", true).check(dir)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " "})
    void noDirMeansSavepointDirAndNeitherIsABadRequest(String dir) {
        assertThat(dirs.check(dir)).isNull();
        assertThatThrownBy(() -> new SavepointDirs("", false).check(dir))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("savepoint.dir");
    }
}
