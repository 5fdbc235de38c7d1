package dev.weir.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weir.Job;
import dev.weir.RunningJob;
import dev.weir.Serdes;
import dev.weir.Weir;
import dev.weir.config.WeirConfig;
import dev.weir.testkit.KafkaBroker;
import dev.weir.testkit.KafkaExtension;
import dev.weir.testkit.KafkaTestClient;
import dev.weir.testkit.PrometheusText;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of an exactly-once job on the shared broker, scraped over real HTTP with a
 * known input: the numbers must be the input's, and the text valid Prometheus exposition.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class MetricsEndpointTest {
    private static final int PER_PARTITION = 150;
    private static final int POISON = 3;

    @TempDir Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void metricsCountTheInputCheckpointsLagSkipsAndKafkaClients(
            KafkaBroker broker, KafkaTestClient client) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String in = "metrics-in-" + id;
        String out = "metrics-out-" + id;
        client.createTopic(in, 2);
        client.createTopic(out, 2);
        List<ProducerRecord<String, String>> input = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            for (int i = 0; i < PER_PARTITION; i++) {
                input.add(new ProducerRecord<>(in, p, "k" + (i % 17), "v" + i));
            }
        }
        for (int i = 0; i < POISON; i++) {
            input.add(new ProducerRecord<>(in, i % 2, "k", "bad" + i));
        }
        client.produce(input);
        int good = 2 * PER_PARTITION;
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> m = ExactlyOnceJobTest.settings(broker, dir, "metrics-job-" + id);
        m.put("rest.port", String.valueOf(port));
        // Only the checkpoints the test asks for, so their count is known.
        m.put("checkpoint.interval.ms", "600000");
        m.put("source.deserialization.error.policy", "skip");
        String job = "metrics-job-" + id;

        var b = Job.builder();
        b.source(
                        "in",
                        KafkaSource.of(
                                List.of(in), Serdes.string(), new PoisonRecordsTest.TestValues()))
                .keyBy(Serdes.string())
                .process("count", PoisonRecordsTest.CountPerKey::new)
                .sink("out", KafkaSink.strings(out));
        try (RunningJob running = Weir.start(b.build(), WeirConfig.of(m))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> running.recordsOut() >= good);
            long first = running.triggerCheckpoint().get(30, TimeUnit.SECONDS).id();
            long second = running.triggerCheckpoint().get(30, TimeUnit.SECONDS).id();

            HttpResponse<String> r = get(port, "/metrics", "text/plain");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type"))
                    .hasValue("text/plain; version=0.0.4; charset=utf-8");
            PrometheusText text = PrometheusText.parse(r.body());
            dashboardQueriesOnlyWhatIsScraped(text);

            // Records in and out per operator equal the input, summed over the subtasks.
            assertThat(text.sum("weir_operator_records_out_total", "job", job, "operator", "in"))
                    .isEqualTo(good);
            assertThat(text.find("weir_operator_records_out_total", "operator", "in")).hasSize(2);
            assertThat(text.sum("weir_operator_records_in_total", "operator", "keyBy-0"))
                    .isEqualTo(good);
            assertThat(text.sum("weir_operator_records_in_total", "operator", "count"))
                    .isEqualTo(good);
            assertThat(text.sum("weir_operator_records_out_total", "operator", "count"))
                    .isEqualTo(good);
            assertThat(text.sum("weir_operator_records_in_total", "operator", "out"))
                    .isEqualTo(good);
            assertThat(text.value("weir_job_records_in_total", "job", job)).hasValue(good);
            assertThat(text.value("weir_source_deserialization_errors_skipped_total"))
                    .hasValue(POISON);
            assertThat(text.value("weir_job_restarts_total")).hasValue(0);
            assertThat(text.type("weir_job_restarts_total")).isEqualTo("counter");
            assertThat(text.value("weir_job_status", "status", "RUNNING")).hasValue(1);

            // Checkpoints: both counted, timed and sized.
            assertThat(text.value("weir_checkpoints_completed_total")).hasValue(2);
            assertThat(text.value("weir_checkpoints_failed_total")).hasValue(0);
            assertThat(text.value("weir_checkpoint_last_completed_id")).hasValue(second);
            assertThat(second).isGreaterThan(first);
            assertThat(text.value("weir_checkpoint_duration_seconds_count")).hasValue(2);
            assertThat(text.value("weir_checkpoint_sync_pause_seconds_count")).hasValue(2);
            assertThat(text.value("weir_checkpoint_alignment_seconds_count")).hasValue(2);
            assertThat(text.value("weir_checkpoint_commit_seconds_count")).hasValue(2);
            assertThat(text.value("weir_checkpoint_size_bytes_sum").orElseThrow()).isPositive();
            assertThat(text.find("weir_checkpoint_duration_seconds_bucket")).isNotEmpty();

            // Where the subtasks' time went, and the state.
            assertThat(text.find("weir_subtask_busy_seconds_total")).hasSize(4);
            assertThat(text.find("weir_subtask_idle_seconds_total", "operator", "count"))
                    .hasSize(2);
            assertThat(text.find("weir_subtask_backpressured_seconds_total")).hasSize(4);
            assertThat(text.sum("weir_state_cache_lookups_total", "operator", "count"))
                    .isGreaterThanOrEqualTo(good);
            assertThat(text.sum("weir_state_cache_misses_total", "operator", "count"))
                    .as("a new job whose keys fit in the cache never reads RocksDB")
                    .isZero();
            assertThat(text.find("weir_state_cache_hit_ratio", "operator", "count"))
                    .allSatisfy(s -> assertThat(s.value()).isEqualTo(1.0));
            assertThat(text.sum("weir_state_rocksdb_sst_files_bytes", "operator", "count"))
                    .as("a checkpoint flushes the memtable into SST files")
                    .isPositive();
            assertThat(text.find("weir_state_rocksdb_estimated_keys", "operator", "count"))
                    .hasSize(2);

            // The transactional pool: its timeout, and its producers' own metrics.
            assertThat(text.value("weir_kafka_transaction_timeout_seconds").orElseThrow())
                    .isPositive();
            assertThat(text.find("weir_kafka_transaction_open_age_seconds")).hasSize(1);
            assertThat(
                            text.sum(
                                    "kafka_producer_record_send_total",
                                    "operator",
                                    KafkaMeters.POOL_OPERATOR))
                    .isGreaterThanOrEqualTo(good);
            assertThat(
                            text.sum(
                                    "kafka_consumer_fetch_manager_records_consumed_total",
                                    "operator",
                                    "in"))
                    .isGreaterThanOrEqualTo(good + POISON);

            // Lag per partition goes to 0 once everything is read.
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> {
                                PrometheusText now =
                                        PrometheusText.parse(get(port, "/metrics", null).body());
                                for (int p = 0; p < 2; p++) {
                                    assertThat(
                                                    now.value(
                                                            "weir_source_lag_records",
                                                            "topic",
                                                            in,
                                                            "partition",
                                                            String.valueOf(p)))
                                            .hasValue(0);
                                }
                            });

            HttpResponse<String> om =
                    get(port, "/metrics", "application/openmetrics-text; version=1.0.0");
            assertThat(om.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/openmetrics-text");
            assertThat(om.body()).endsWith("# EOF\n");
        }
    }

    private HttpResponse<String> get(int port, String path, String accept) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The Grafana dashboard of docker/compose.yaml asks only for metrics the job exports and the
     * docs list (counters of poison records and function errors appear once they count).
     */
    private static void dashboardQueriesOnlyWhatIsScraped(PrometheusText text) throws Exception {
        String dashboard =
                java.nio.file.Files.readString(
                        java.nio.file.Path.of(
                                "..", "docker", "grafana", "dashboards", "weir.json"));
        String docs =
                java.nio.file.Files.readString(
                        java.nio.file.Path.of("..", "docs", "operations.md"));
        java.util.Set<String> scraped = new java.util.HashSet<>();
        text.samples().forEach(sample -> scraped.add(sample.name()));
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("weir_[a-z_]+").matcher(dashboard);
        java.util.Set<String> asked = new java.util.TreeSet<>();
        while (m.find()) {
            asked.add(m.group());
        }
        assertThat(asked).hasSizeGreaterThan(15);
        for (String name : asked) {
            String family = name.replaceFirst("_(bucket|sum|count)$", "");
            assertThat(docs).as("docs/operations.md lists %s", family).contains("`" + family + "`");
            if (!family.equals("weir_source_deserialization_errors_dead_lettered_total")
                    && !family.equals("weir_process_errors_skipped_total")) {
                assertThat(scraped).as("the dashboard's %s is scraped", name).contains(name);
            }
        }
    }
}
