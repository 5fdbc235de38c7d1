package dev.weir.spi;

import dev.weir.SubtaskInfo;
import dev.weir.config.WeirConfig;

/** What a sink subtask is told when its writer is created. */
public interface SinkContext {
    SubtaskInfo subtask();

    WeirConfig config();
}
