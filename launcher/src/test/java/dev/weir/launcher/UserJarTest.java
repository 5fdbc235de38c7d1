package dev.weir.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.testkit.ChildClasspath;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weir run --jar}: a job compiled here, outside the launcher's class path, run in a child
 * JVM; SIGTERM with {@code shutdown.savepoint=true} stops it with a savepoint, and the job resumes
 * from it with nothing lost or repeated.
 */
@ExtendWith(KafkaExtension.class)
class UserJarTest {
    private static final String FACTORY = "com.example.upper.UpperJob";

    /** A user's job: upper-cases values, exactly once. Uses Weir's public API only. */
    private static final String SOURCE =
            """
            package com.example.upper;

            import dev.weir.Job;
            import dev.weir.JobBuilder;
            import dev.weir.JobFactory;
            import dev.weir.Serdes;
            import dev.weir.config.ConfigOption;
            import dev.weir.config.WeirConfig;
            import dev.weir.kafka.KafkaSink;
            import dev.weir.kafka.KafkaSource;
            import java.util.List;
            import java.util.Locale;

            public final class UpperJob implements JobFactory {
                static final ConfigOption<String> IN = ConfigOption.string("upper.in", null, "in");
                static final ConfigOption<String> OUT = ConfigOption.string("upper.out", null, "out");

                public List<ConfigOption<?>> options() {
                    return List.of(IN, OUT);
                }

                public Job create(WeirConfig config) {
                    JobBuilder b = Job.builder();
                    b.source("in", KafkaSource.of(List.of(config.get(IN)), Serdes.string(), Serdes.string()))
                            .map(r -> r.withValue(r.value().toUpperCase(Locale.ROOT)))
                            .sink("out", KafkaSink.of(config.get(OUT), Serdes.string(), Serdes.string()));
                    return b.build();
                }
            }
            """;

    @TempDir Path dir;

    @Test
    void aJobFromAJarNamedInItsManifestIsRunAndNotOnTheLaunchersClassPath() throws Exception {
        Path jar = userJar(true);

        assertThatThrownBy(() -> Class.forName(FACTORY)).isInstanceOf(ClassNotFoundException.class);
        WeirMain.Launch launch = WeirMain.parse(withKeys("--jar", jar.toString()), Map.of());
        assertThat(launch.factory().getClass().getName()).isEqualTo(FACTORY);
        assertThat(launch.config().asMap()).containsEntry("upper.in", "a");
    }

    @Test
    void aJarThatNamesNoJobIsRefusedWithWhatToDo() throws Exception {
        Path jar = userJar(false);

        assertThatThrownBy(() -> WeirMain.parse(List.of("--jar", jar.toString()), Map.of()))
                .hasMessageContaining("--class NAME")
                .hasMessageContaining("Weir-Job-Factory");
        assertThat(
                        WeirMain.parse(
                                        withKeys("--jar", jar.toString(), "--class", FACTORY),
                                        Map.of())
                                .factory()
                                .getClass()
                                .getName())
                .isEqualTo(FACTORY);
        assertThatThrownBy(() -> WeirMain.parse(List.of("--jar", "no-such.jar"), Map.of()))
                .hasMessageContaining("no-such.jar: no such file");
    }

    @Test
    @Timeout(240)
    void sigtermTakesASavepointAndTheJobResumesFromItExactlyOnce(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        client.createTopic("upper-in", 2);
        client.createTopic("upper-out", 2);
        Path jar = userJar(true);
        client.produce(values(0, 500));

        Process first = run(broker, jar, "first.log");
        awaitCommitted(client, 500, first, "first.log");
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(120, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
        assertThat(first.exitValue()).as("exit code after SIGTERM").isEqualTo(143);
        String log = Files.readString(dir.resolve("first.log"));
        Matcher m = Pattern.compile("(?m)^savepoint: (\\S+)$").matcher(log);
        assertThat(m.find()).as("savepoint location printed:\n%s", log).isTrue();
        Path savepoint = Path.of(java.net.URI.create(m.group(1)));
        assertThat(savepoint.resolve("_metadata")).exists();
        assertThat(savepoint).startsWith(dir.resolve("savepoints"));

        client.produce(values(500, 1000));
        Process second = run(broker, jar, "second.log", "--from-savepoint", savepoint.toString());
        try {
            List<ConsumerRecord<String, String>> out =
                    awaitCommitted(client, 1000, second, "second.log");
            assertThat(out.stream().map(ConsumerRecord::value))
                    .as("each input once, upper-cased")
                    .containsExactlyInAnyOrderElementsOf(
                            IntStream.range(0, 1000).mapToObj(i -> "V-" + i).toList());
        } finally {
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** {@code args} and the keys the job needs to pass the launcher's checks. */
    private static List<String> withKeys(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        for (String kv :
                List.of("job.name=j", "bootstrap.servers=b:9092", "upper.in=a", "upper.out=b")) {
            all.addAll(List.of("--set", kv));
        }
        return all;
    }

    private static List<org.apache.kafka.clients.producer.ProducerRecord<String, String>> values(
            int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(
                        i ->
                                new org.apache.kafka.clients.producer.ProducerRecord<>(
                                        "upper-in", "k" + (i % 17), "v-" + i))
                .toList();
    }

    /** Waits until {@code n} outputs are committed, then one more checkpoint interval. */
    private List<ConsumerRecord<String, String>> awaitCommitted(
            KafkaTestClient client, int n, Process job, String log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        List<ConsumerRecord<String, String>> out = List.of();
        while (System.nanoTime() < deadline && job.isAlive()) {
            out = client.readAllCommitted("upper-out", Duration.ofSeconds(2));
            if (out.size() >= n) {
                Thread.sleep(1_000);
                return client.readAllCommitted("upper-out", Duration.ofSeconds(2));
            }
        }
        throw new AssertionError(
                out.size()
                        + " of "
                        + n
                        + " outputs committed; job alive: "
                        + job.isAlive()
                        + "\n"
                        + Files.readString(dir.resolve(log)));
    }

    private Process run(KafkaBroker broker, Path jar, String log, String... extra)
            throws IOException {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx256m",
                                "-XX:+UseSerialGC",
                                "-Dlog4j2.configurationFile=weir-log4j2.xml",
                                "-cp",
                                ChildClasspath.ofThisJvm(),
                                WeirMain.class.getName(),
                                "run",
                                "--jar",
                                jar.toString()));
        Map<String, String> settings =
                Map.of(
                        "bootstrap.servers", broker.bootstrapServers(),
                        "job.name", "upper",
                        "upper.in", "upper-in",
                        "upper.out", "upper-out",
                        "parallelism", "2",
                        "checkpoint.dir", dir.resolve("checkpoints").toUri().toString(),
                        "checkpoint.interval.ms", "300",
                        "state.local-dir", dir.resolve("state").toString(),
                        "source.start", "earliest",
                        "job.lock.session-timeout.ms", "6000");
        settings.forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve(log).toFile());
        // Through the environment, as a container would set them.
        pb.environment().put("WEIR_SHUTDOWN_SAVEPOINT", "true");
        pb.environment().put("WEIR_SAVEPOINT_DIR", dir.resolve("savepoints").toUri().toString());
        pb.environment().put("WEIR_SINK_DELIVERY", "exactly-once");
        return pb.start();
    }

    /** Compiles {@link #SOURCE} against this JVM's class path into a jar outside it. */
    private Path userJar(boolean withManifestAttribute) throws IOException {
        Path src = dir.resolve("src/com/example/upper/UpperJob.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE, StandardCharsets.UTF_8);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc =
                javac.run(
                        null,
                        null,
                        null,
                        "-d",
                        classes.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        src.toString());
        assertThat(rc).as("javac").isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (withManifestAttribute) {
            manifest.getMainAttributes().putValue(Jobs.MANIFEST_ATTRIBUTE, FACTORY);
        }
        Path jar = dir.resolve(withManifestAttribute ? "upper.jar" : "upper-unnamed.jar");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(out, manifest)) {
            String entry = "com/example/upper/UpperJob.class";
            j.putNextEntry(new JarEntry(entry));
            j.write(Files.readAllBytes(classes.resolve(entry)));
            j.closeEntry();
        }
        return jar;
    }
}
