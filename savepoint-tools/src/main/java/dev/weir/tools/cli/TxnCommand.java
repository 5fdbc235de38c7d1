package dev.weir.tools.cli;

import dev.weir.kafka.KafkaJobNames;
import dev.weir.tools.Durations;
import dev.weir.tools.Inspection;
import dev.weir.tools.KafkaCluster;
import dev.weir.tools.ToolException;
import dev.weir.tools.Transactions;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "txn",
        mixinStandardHelpOptions = true,
        description = {
            "The Kafka transactions of a job's exactly-once producer pool: list them, or abort the"
                    + " ongoing ones a crashed process left, which read_committed consumers of"
                    + " its output wait behind."
        },
        subcommands = {TxnCommand.ListCommand.class, TxnCommand.AbortCommand.class})
final class TxnCommand implements Runnable {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "txn needs a command: list or abort");
    }

    /** The job whose pool to look at. */
    static final class JobOptions {
        @Option(names = "--job", required = true, paramLabel = "NAME", description = "Job name")
        String job;

        @Option(
                names = "--transactional-id-prefix",
                paramLabel = "P",
                defaultValue = "",
                description = "The job's sink.transactional-id-prefix (default: the job name)")
        String prefix;

        String prefix() {
            return KafkaJobNames.transactionalIdPrefix(prefix, job);
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = {
                "The job's transactional ids (<prefix>-<slot>) with state, age, timeout and"
                        + " partitions, and whether a process of the job holds its lock."
            })
    static final class ListCommand implements Callable<Integer> {
        @CommandLine.Mixin JobOptions job;

        @CommandLine.Mixin KafkaClientOptions kafka;

        @Option(
                names = {"-o", "--output"},
                defaultValue = "table",
                description = "table or json (versioned: apiVersion weir/v1)")
        String output;

        @Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Common.checkOutput(spec, output, "table", "json");
            try (KafkaCluster c = kafka.connect("txn list")) {
                List<Transactions.Txn> txns =
                        Transactions.list(c, job.prefix(), InstantSource.system());
                List<Transactions.LockMember> lock = Transactions.lockMembers(c, job.job);
                PrintWriter out = spec.commandLine().getOut();
                if (output.equals("json")) {
                    out.println(
                            Json.PRETTY.writeValueAsString(
                                    new Report(
                                            Inspection.API_VERSION,
                                            job.job,
                                            job.prefix(),
                                            lock,
                                            false,
                                            txns,
                                            List.of())));
                } else {
                    lockLine(out, job.job, lock);
                    table(out, txns);
                }
                out.flush();
                return 0;
            }
        }
    }

    @Command(
            name = "abort",
            mixinStandardHelpOptions = true,
            description = {
                "Aborts the job's ongoing transactions (Admin.fenceProducers: the coordinator"
                        + " aborts and fences), so read_committed consumers read on. Without"
                        + " --execute it shows what it would abort. Refused while a process of"
                        + " the job holds its lock, unless --force."
            })
    static final class AbortCommand implements Callable<Integer> {
        @CommandLine.Mixin JobOptions job;

        @CommandLine.Mixin KafkaClientOptions kafka;

        @Option(names = "--execute", description = "Abort; without it, only show what it would")
        boolean execute;

        @Option(
                names = "--force",
                description =
                        "Abort even while a process of the job holds its lock (that process then"
                                + " fails its next commit and restarts)")
        boolean force;

        @Option(
                names = "--timeout",
                defaultValue = "30s",
                paramLabel = "DURATION",
                description = "How long to wait for the coordinators to complete the aborts")
        String timeout;

        @Option(
                names = {"-o", "--output"},
                defaultValue = "table",
                description = "table or json (versioned: apiVersion weir/v1)")
        String output;

        @Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Common.checkOutput(spec, output, "table", "json");
            Duration wait = Durations.parse(timeout, "--timeout");
            try (KafkaCluster c = kafka.connect("txn abort")) {
                InstantSource clock = InstantSource.system();
                List<Transactions.Txn> txns = Transactions.list(c, job.prefix(), clock);
                List<Transactions.LockMember> lock = Transactions.lockMembers(c, job.job);
                boolean any = txns.stream().anyMatch(Transactions.Txn::ongoing);
                if (execute && any && !lock.isEmpty() && !force) {
                    throw ToolException.refused(
                            "job "
                                    + job.job
                                    + " looks live: "
                                    + describe(lock)
                                    + " holds its lock (group "
                                    + KafkaJobNames.lockGroup(job.job)
                                    + "). Aborting would fence its producers and make it restart."
                                    + " Stop it first — after a crash the membership expires"
                                    + " after job.lock.session-timeout.ms (default 10 s) — or"
                                    + " pass --force");
                }
                List<Transactions.Aborted> aborted =
                        execute ? Transactions.abort(c, txns, wait, clock) : List.of();
                PrintWriter out = spec.commandLine().getOut();
                if (output.equals("json")) {
                    out.println(
                            Json.PRETTY.writeValueAsString(
                                    new Report(
                                            Inspection.API_VERSION,
                                            job.job,
                                            job.prefix(),
                                            lock,
                                            execute,
                                            txns,
                                            aborted)));
                } else {
                    lockLine(out, job.job, lock);
                    table(out, txns);
                    if (!any) {
                        out.printf("no ongoing transaction of job %s: nothing to abort%n", job.job);
                    } else if (!execute) {
                        out.printf(
                                "would abort %s; nothing aborted: pass --execute%n",
                                txns.stream()
                                        .filter(Transactions.Txn::ongoing)
                                        .map(Transactions.Txn::transactionalId)
                                        .toList());
                    } else {
                        for (Transactions.Aborted a : aborted) {
                            out.printf(
                                    "aborted %s: %s -> %s in %d ms%n",
                                    a.transactionalId(), a.before(), a.after(), a.millis());
                        }
                    }
                }
                out.flush();
                return 0;
            }
        }
    }

    /** The {@code -o json} document of list and abort. */
    record Report(
            String apiVersion,
            String job,
            String transactionalIdPrefix,
            List<Transactions.LockMember> lockHolders,
            boolean executed,
            List<Transactions.Txn> transactions,
            List<Transactions.Aborted> aborted) {}

    private static String describe(List<Transactions.LockMember> lock) {
        return lock.stream()
                .map(m -> "client " + m.clientId() + " on " + m.host())
                .toList()
                .toString();
    }

    private static void lockLine(PrintWriter out, String job, List<Transactions.LockMember> lock) {
        out.printf(
                "job %s: %s%n",
                job,
                lock.isEmpty()
                        ? "no live process holds the job lock"
                        : "job lock held by " + describe(lock));
    }

    private static void table(PrintWriter out, List<Transactions.Txn> txns) {
        out.printf(
                "%-32s %-18s %12s %6s %10s %10s  %s%n",
                "TRANSACTIONAL ID",
                "STATE",
                "PRODUCER ID",
                "EPOCH",
                "AGE",
                "TIMEOUT",
                "PARTITIONS");
        for (Transactions.Txn t : txns) {
            out.printf(
                    "%-32s %-18s %12d %6d %10s %10s  %s%n",
                    t.transactionalId(),
                    t.state(),
                    t.producerId(),
                    t.producerEpoch(),
                    t.ageMillis() < 0 ? "-" : seconds(t.ageMillis()),
                    seconds(t.timeoutMs()),
                    String.join(",", t.partitions()));
        }
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
