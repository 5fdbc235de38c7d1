package dev.weir.tools.cli;

import dev.weir.tools.KafkaCluster;
import dev.weir.tools.ToolException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How to reach the Kafka cluster, spelled as Kafka's own command-line tools spell it. */
final class KafkaClientOptions {
    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…]")
    String bootstrapServers;

    @Option(
            names = "--command-config",
            paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.* …)")
    Path commandConfig;

    boolean present() {
        return bootstrapServers != null && !bootstrapServers.isBlank();
    }

    /** The cluster, if {@code --bootstrap-servers} was given. */
    Optional<KafkaCluster> connectIfGiven() {
        return present()
                ? Optional.of(
                        KafkaCluster.connect(bootstrapServers, Optional.ofNullable(commandConfig)))
                : Optional.empty();
    }

    /**
     * The cluster.
     *
     * @throws ToolException refused, naming {@code command}, without {@code --bootstrap-servers}
     */
    KafkaCluster connect(String command) {
        if (!present()) {
            throw ToolException.refused(command + " needs the cluster: pass --bootstrap-servers");
        }
        return KafkaCluster.connect(bootstrapServers, Optional.ofNullable(commandConfig));
    }
}
