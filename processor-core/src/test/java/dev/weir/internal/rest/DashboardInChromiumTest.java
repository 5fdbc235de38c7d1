package dev.weir.internal.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.CheckpointStats;
import dev.weir.Job;
import dev.weir.JobStatus;
import dev.weir.KeyedProcessFunction;
import dev.weir.Record;
import dev.weir.RunningJob;
import dev.weir.Serdes;
import dev.weir.Weir;
import dev.weir.format.CheckpointMetadata;
import dev.weir.internal.TestJob;
import dev.weir.spi.CheckpointCommitter;
import dev.weir.spi.CommitOutcome;
import dev.weir.spi.CommitterContext;
import dev.weir.spi.Sink;
import dev.weir.spi.SinkContext;
import dev.weir.spi.SinkWriter;
import dev.weir.spi.Source;
import dev.weir.spi.SourceContext;
import dev.weir.spi.SourceReader;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium, driven over the DevTools protocol ({@link Chromium}),
 * in front of a real job without Kafka: the page must show what the job reports — its totals, its
 * operators, its checkpoints (a failed one with an error full of markup, which must stay text) and
 * its savepoint — and not log a single error (a script error, a file it could not load, a
 * Content-Security-Policy violation). Skipped when no Chromium is on {@code PATH}; CI installs
 * Debian's {@code chromium}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardInChromiumTest {
    private static final int PER_SUBTASK = 300;
    private static final int PARALLELISM = 2;

    /** A failure text that would add an element and run a script if it were parsed as HTML. */
    private static final String MARKUP =
            "<img src=x onerror=\"window.weirInjected=1\"><b id=\"weir-injected\">no</b> & done";

    @TempDir Path dir;

    private RunningJob job;
    private volatile String failNextCommit;

    @AfterEach
    void stopJob() {
        if (job != null) {
            job.stop();
        }
    }

    @Test
    void thePageShowsTheJobsTotalsOperatorsCheckpointsAndSavepointsAsTheJobReportsThem()
            throws Exception {
        Optional<Path> binary = Chromium.find();
        Assumptions.assumeTrue(
                binary.isPresent(),
                "no chromium, chromium-browser or google-chrome on PATH: the dashboard is not"
                        + " tried in a browser (apt-get install -y chromium)");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        job =
                Weir.start(
                        job(),
                        TestJob.config(dir, "dashboard")
                                .with("rest.port", String.valueOf(port))
                                .with("parallelism", String.valueOf(PARALLELISM)));
        await("every record reaches the sink", () -> job.recordsOut() == PER_SUBTASK * PARALLELISM);
        job.triggerCheckpoint().get(30, TimeUnit.SECONDS);
        job.triggerCheckpoint().get(30, TimeUnit.SECONDS);
        failNextCommit = MARKUP;
        assertThatThrownBy(() -> job.triggerCheckpoint().get(30, TimeUnit.SECONDS))
                .hasMessageContaining("weir-injected");
        await("the job restarts", () -> job.restarts() == 1 && job.status() == JobStatus.RUNNING);
        String savepoint = job.triggerSavepoint(null).get(30, TimeUnit.SECONDS);

        // Nothing moves from here on: the sources are done and no checkpoint is due.
        List<CheckpointStats> checkpoints = job.checkpoints();
        long in = job.recordsIn();
        long out = job.recordsOut();
        assertThat(out).isEqualTo(PER_SUBTASK * PARALLELISM);

        try (Chromium browser =
                Chromium.launch(
                        binary.get(), Files.createDirectory(dir.resolve("profile")), 1280, 900)) {
            browser.navigate("http://127.0.0.1:" + port + "/");
            Map<String, Object> page = awaitPage(browser, in, checkpoints.size());

            assertThat(page.get("path")).isEqualTo("/dashboard/");
            assertThat(page.get("name")).isEqualTo("dashboard");
            assertThat(page.get("status")).isEqualTo("RUNNING");
            assertThat(page.get("restarts")).isEqualTo(String.valueOf(job.restarts()));
            assertThat(page.get("in")).isEqualTo(count(in));
            assertThat(page.get("out")).isEqualTo(count(out));
            assertThat(page.get("lag")).as("no Kafka source, no lag meter").isEqualTo("n/a");

            List<List<String>> operators = rows(page, "operators");
            assertThat(operators).containsExactlyInAnyOrderElementsOf(operatorRows());
            // Sources first, sinks last.
            assertThat(operators.get(0).get(0)).isEqualTo("numbers");
            assertThat(operators.get(operators.size() - 1).get(0)).isEqualTo("out");
            assertThat(operators).extracting(r -> r.get(0)).contains("doubled");
            // The counts are the records' (not only equal to meters that could have stopped).
            assertThat(operators)
                    .filteredOn(r -> r.get(0).equals("numbers"))
                    .extracting(r -> r.get(3))
                    .containsOnly(count(PER_SUBTASK));
            assertThat(
                            operators.stream()
                                    .filter(r -> r.get(0).equals("out"))
                                    .mapToLong(r -> Long.parseLong(r.get(2).replace(",", "")))
                                    .sum())
                    .as("records the sink subtasks took in")
                    .isEqualTo(out);
            List<List<String>> subtasks = rows(page, "subtasks");
            assertThat(subtasks)
                    .extracting(r -> r.get(0) + "/" + r.get(1))
                    .containsExactlyInAnyOrderElementsOf(tasks())
                    .hasSize(2 * PARALLELISM);
            // Shares of the time since the previous poll: busy, backpressured, idle.
            assertThat(subtasks)
                    .allSatisfy(r -> assertThat(r.subList(2, 5)).allMatch(c -> c.matches("\\d+%")));

            List<List<String>> shown = rows(page, "checkpoints");
            assertThat(shown).hasSize(checkpoints.size());
            for (int i = 0; i < checkpoints.size(); i++) {
                CheckpointStats c = checkpoints.get(checkpoints.size() - 1 - i); // newest first
                List<String> r = shown.get(i);
                assertThat(r.get(0)).isEqualTo(String.valueOf(c.id()));
                assertThat(r.get(1)).isEqualTo(c.status().name());
                assertThat(r.get(3)).isEqualTo(count(c.durationMillis()) + " ms");
                assertThat(r.get(4)).isEqualTo(count(c.sizeBytes()) + " B");
                assertThat(r.get(8))
                        .isEqualTo(c.failure().orElseGet(() -> c.location().orElse("")));
            }
            assertThat(shown).extracting(r -> r.get(8)).anyMatch(f -> f.contains(MARKUP));
            assertThat(page.get("injected"))
                    .as("markup from the job became elements")
                    .isEqualTo(false);

            List<List<String>> savepoints = rows(page, "savepoints");
            assertThat(savepoints).hasSize(1);
            assertThat(savepoints.get(0).subList(1, 3)).containsExactly("savepoint", "COMPLETED");
            assertThat(savepoints.get(0).get(4)).isEqualTo(savepoint);

            long last =
                    checkpoints.stream()
                            .filter(c -> c.status() == CheckpointStats.Status.COMPLETED)
                            .mapToLong(CheckpointStats::id)
                            .max()
                            .orElseThrow();
            assertThat(page.get("lastCheckpoint")).isEqualTo("#" + last);
            assertThat(((Number) page.get("canvases")).intValue())
                    .as("one canvas per chart")
                    .isEqualTo(3);
            assertThat(browser.errors()).isEmpty();

            byte[] png = browser.screenshot();
            Path file = Path.of("target", "dashboard.png");
            Files.write(file, png);
            assertThat(Files.size(file))
                    .as("a screenshot of more than a blank page")
                    .isGreaterThan(20_000);
            assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("PNG");
        }
    }

    /** Polls the page until it shows the job's totals and every checkpoint, after two polls. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitPage(Chromium browser, long recordsIn, int checkpoints)
            throws Exception {
        String read =
                "(() => {"
                        + " const t = (id) => document.getElementById(id)?.textContent ?? null;"
                        + " const rows = (id) => [...document.querySelectorAll('#' + id + ' tbody tr')]"
                        + "   .map((tr) => [...tr.cells].map((td) => td.textContent));"
                        + " return { path: location.pathname, polls: Number(document.body?.dataset.polls ?? 0),"
                        + "   name: t('job-name'), status: t('job-status'), restarts: t('restarts'),"
                        + "   in: t('records-in'), out: t('records-out'), lag: t('source-lag'),"
                        + "   lastCheckpoint: t('last-checkpoint'),"
                        + "   operators: rows('operators'), subtasks: rows('subtasks'),"
                        + "   checkpoints: rows('checkpoints'), savepoints: rows('savepoints'),"
                        + "   canvases: document.querySelectorAll('.chart canvas').length,"
                        + "   injected: document.getElementById('weir-injected') !== null"
                        + "     || window.weirInjected !== undefined };"
                        + "})()";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Object> page;
        while (true) {
            Object v = browser.evaluate(read);
            page = v instanceof Map ? (Map<String, Object>) v : Map.of();
            if (page.get("polls") instanceof Number n
                    && n.intValue() >= 2
                    && count(recordsIn).equals(page.get("in"))
                    && ((List<?>) page.get("checkpoints")).size() == checkpoints) {
                return page;
            }
            assertThat(System.nanoTime())
                    .as("the page never showed the job: %s; errors %s", page, browser.errors())
                    .isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<List<String>> rows(Map<String, Object> page, String table) {
        return (List<List<String>>) page.get(table);
    }

    /**
     * The operator table as the page should show it, from the job's meters: one row per operator
     * and subtask with its counts, and rates of 0 — nothing moves any more.
     */
    private List<List<String>> operatorRows() {
        Map<List<String>, String[]> rows = new LinkedHashMap<>();
        for (String name : List.of("weir.operator.records.in", "weir.operator.records.out")) {
            for (Meter m : job.meterRegistry().find(name).meters()) {
                List<String> key =
                        List.of(m.getId().getTag("operator"), m.getId().getTag("subtask"));
                String[] row = rows.computeIfAbsent(key, k -> new String[] {"", "", "", ""});
                int at = name.endsWith(".in") ? 0 : 1;
                row[at] = count((long) ((FunctionCounter) m).count());
                row[at + 2] = "0/s";
            }
        }
        List<List<String>> out = new ArrayList<>();
        rows.forEach(
                (key, r) -> {
                    List<String> row = new ArrayList<>(key);
                    row.addAll(List.of(r));
                    out.add(row);
                });
        return out;
    }

    /** The tasks (operator of the chain's head, subtask) the busy meters are kept for. */
    private List<String> tasks() {
        return job.meterRegistry().find("weir.subtask.busy").meters().stream()
                .map(m -> m.getId().getTag("operator") + "/" + m.getId().getTag("subtask"))
                .toList();
    }

    private static String count(long n) {
        return String.format(Locale.US, "%,d", n);
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Each source subtask counts to {@link #PER_SUBTASK} and then idles; a keyed step doubles. */
    private Job job() {
        var b = Job.builder();
        b.source("numbers", new Bounded())
                .keyBy(Serdes.string())
                .process("doubled", Doubling::new)
                .sink("out", new Committing());
        return b.build();
    }

    private static final class Doubling
            implements KeyedProcessFunction<String, Long, String, Long> {
        @Override
        public void process(Record<String, Long> r, Context<String, String, Long> out) {
            out.emit(Record.of(r.key(), r.value() * 2, r.timestamp()));
        }
    }

    private static final class Bounded implements Source<String, Long> {
        @Override
        public SourceReader<String, Long> createReader(SourceContext context) {
            String split = "split-" + context.subtask().subtask();
            long start = context.restoredPositions().getOrDefault(split, 0L);
            return new SourceReader<>() {
                private long next = start;

                @Override
                public List<Record<String, Long>> poll(Duration timeout) {
                    if (next >= PER_SUBTASK) {
                        try {
                            Thread.sleep(Math.min(5, timeout.toMillis()));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return List.of();
                    }
                    long n = next++;
                    return List.of(Record.of("k" + n % 7, n, context.clock().millis()));
                }

                @Override
                public Map<String, Long> snapshotPositions(long checkpointId) {
                    return Map.of(split, next);
                }

                @Override
                public void close() {}
            };
        }
    }

    /** Drops the records; its committer fails a commit with {@link #failNextCommit}, once. */
    private final class Committing implements Sink<String, Long> {
        private final AtomicLong committed = new AtomicLong(-1);

        @Override
        public SinkWriter<String, Long> createWriter(SinkContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(Record<String, Long> record) {}

                @Override
                public void prepareCheckpoint(long checkpointId) {}

                @Override
                public void close() {}
            };
        }

        @Override
        public Optional<CheckpointCommitter> createCommitter(CommitterContext context) {
            return Optional.of(
                    new CheckpointCommitter() {
                        @Override
                        public OptionalLong recover() {
                            long c = committed.get();
                            return c < 0 ? OptionalLong.empty() : OptionalLong.of(c);
                        }

                        @Override
                        public void begin(long firstCheckpointId) {}

                        @Override
                        public CommitOutcome commit(CheckpointMetadata metadata) {
                            String failure = failNextCommit;
                            if (failure != null) {
                                failNextCommit = null;
                                return new CommitOutcome.Failed(failure, null);
                            }
                            committed.accumulateAndGet(metadata.checkpointId(), Math::max);
                            return CommitOutcome.committed();
                        }

                        @Override
                        public void close() {}
                    });
        }
    }
}
