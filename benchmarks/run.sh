#!/usr/bin/env bash
# Benchmarks against a Kafka broker in its own process; every contender in a JVM of its own.
#
#   benchmarks/run.sh [N=2000000] [K=100000] [--small] [--zipf] [--no-latency]
#                     [--latency-rate R] [--latency-seconds S] [--only pipe,weir-eos,weir-alo,streams]
#                     [--rounds R] [--interval-ms I=1000]
#                     (--only may also name weir-eos-nostate: Weir without state,
#                     and weir-avro: avro-aggregate on the same records in Avro, with a registry)
#       throughput, CPU, peak RSS and correctness of: a raw transactional pipe, Weir
#       keyed-aggregate exactly-once and at-least-once, Kafka Streams EOS-v2; then end-to-end
#       latency in a paced phase. --small is N=100000, K=10000, 5 s of latency. --interval-ms is
#       every contender's commit interval: the pipe's transactions, Weir's checkpoints, Kafka
#       Streams' commit.interval.ms (under exactly-once, the floor of the latency).
#   benchmarks/run.sh window [N=1000000] [K=100000] [--small] [--zipf] [--rounds R]
#                     [--only pipe,weir-window,streams-window] [--window-ms W=1000]
#                     [--records-per-ms R=1] [--disorder-ms D=200] [--out-of-orderness-ms O=500]
#                     [--lateness-ms L=0] [--streams-emit suppress|on-window-close]
#                     [--streams-cache-bytes B=10485760]
#       a tumbling-window aggregate on input with event time: throughput, CPU, peak RSS and an exact
#       check of every window of the raw pipe, Weir windowed-aggregate and Kafka Streams EOS-v2.
#   benchmarks/run.sh state [MB=100] [--steady-seconds S] [--update-rate R] [--value-bytes B]
#                     [--delivery exactly-once|at-least-once] [--interval-ms I=1000]
#       checkpoint pause and duration at ~MB of Weir keyed state, then recovery time after SIGKILL.
#   benchmarks/run.sh jmh [JMH options, e.g. HotPath -f 1]
#       JMH microbenchmarks of the per-record hot paths (dev.weir.internal.HotPathBenchmarks).
#   benchmarks/run.sh rescale [GB=1] [--rounds R] [--no-verify]
#       offline savepoint rescale (savepoint-tools' runnable jar under -Xmx256m, or
#       BENCH_TOOL_JAVA_OPTS) against cp -r of the same savepoint files, cold page cache per step
#       when root; no broker. Needs ~5x GB of free disk in java.io.tmpdir (/tmp).
#
# Builds the benchmarks module (and what it needs) if it was not built yet. The Weir jars are
# copied aside first, so a rebuild during the run does not change classes under it. Children's JVM
# options come from BENCH_CHILD_JAVA_OPTS (default -Xmx1g); BENCH_KEEP=1 keeps the work directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$here/benchmarks/target/classpath.txt" ]; then
  (cd "$here" && mvn -q -B -DskipTests install -pl benchmarks -am) >&2
fi
snapshot="$(mktemp -d "${TMPDIR:-/tmp}/weir-bench-cp-XXXXXX")"
trap 'rm -rf "$snapshot"' EXIT
cp -r "$here/benchmarks/target/classes" "$snapshot/benchmarks-classes"
cp="$snapshot/benchmarks-classes"
IFS=':' read -r -a entries < "$here/benchmarks/target/classpath.txt" || true # no newline at EOF
i=0
for e in "${entries[@]}"; do
  case "$e" in
    */dev/weir/*|"$here"/*)  # Weir's own jars (local repository or reactor), not third-party ones
      i=$((i + 1))
      cp -r "$e" "$snapshot/$i-$(basename "$e")"
      cp="$cp:$snapshot/$i-$(basename "$e")"
      echo "using $e (built $(date -r "$e" '+%F %T'))" ;;
    *) cp="$cp:$e" ;;
  esac
done
echo "source tree: $(git -C "$here" describe --always --dirty 2>/dev/null || echo '?')"
main=dev.weir.benchmarks.EndToEnd
if [ "${1:-}" = "window" ]; then
  main=dev.weir.benchmarks.WindowBench
  shift
elif [ "${1:-}" = "state" ]; then
  main=dev.weir.benchmarks.StateBench
  shift
elif [ "${1:-}" = "jmh" ]; then
  main=org.openjdk.jmh.Main
  shift
elif [ "${1:-}" = "rescale" ]; then
  main=dev.weir.benchmarks.RescaleBench
  shift
  tool="$here/savepoint-tools/target/weir-savepoint-tools.jar"
  if [ ! -f "$tool" ]; then  # package only: never install into the shared local repository
    (cd "$here" && mvn -q -B -DskipTests package -pl savepoint-tools -am) >&2
  fi
  cp "$tool" "$snapshot/weir-savepoint-tools.jar"
  echo "using $tool (built $(date -r "$tool" '+%F %T'))"
  set -- --tool-jar "$snapshot/weir-savepoint-tools.jar" "$@"
fi
# weir-avro's schema registry is downloaded and unpacked there once.
java -Xmx1g -Dlog4j2.configurationFile=weir-log4j2.xml \
  -Dweir.schema-registry.home="$here/benchmarks/target/schema-registry" -cp "$cp" "$main" "$@"
