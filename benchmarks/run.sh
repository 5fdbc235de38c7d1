#!/usr/bin/env bash
# End-to-end benchmark: a Kafka broker in its own process, then (sequentially, same input)
# a raw consume->produce pipe and Weir's keyed-aggregate. Usage:
#   benchmarks/run.sh [records=1000000] [keys=100000]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$here/benchmarks/target/classpath.txt" ]; then
  (cd "$here" && mvn -q -B -DskipTests install) >&2
fi
cp="$here/benchmarks/target/classes:$(cat "$here/benchmarks/target/classpath.txt")"
exec java -Xmx1g -cp "$cp" dev.weir.benchmarks.EndToEnd "$@"
