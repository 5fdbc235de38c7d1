package dev.weir.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CheckpointPathsTest {
    @Test
    void aMetadataPathResolvesAgainstItsCheckpointDirectoryToARootRelativePath() {
        assertThat(CheckpointPaths.resolve("chk-7", "../shared/op/0/u/000012.sst"))
                .isEqualTo("shared/op/0/u/000012.sst");
        assertThat(CheckpointPaths.resolve("chk-7", "inc/op/0/MANIFEST-000005"))
                .isEqualTo("chk-7/inc/op/0/MANIFEST-000005");
        assertThat(CheckpointPaths.resolve("", "op/1.kgs")).isEqualTo("op/1.kgs");
        assertThat(CheckpointPaths.resolve("chk-7", "./a/../b")).isEqualTo("chk-7/b");
    }

    @Test
    void aPathLeavingTheRootIsRejectedNamingIt() {
        assertThatThrownBy(() -> CheckpointPaths.resolve("chk-7", "../../etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("../../etc/passwd");
    }
}
