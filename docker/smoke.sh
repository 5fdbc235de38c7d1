#!/usr/bin/env bash
# The compose stack end to end on this machine's podman (docker/README.md#smoke-test):
# builds the images, brings the stack up, produces input, checks the committed output is
# exactly once, stops the job with a savepoint over REST, starts it again from that savepoint,
# produces more and checks again; then takes the stack down.
#   bash docker/smoke.sh            (WEIR_SMOKE_RECORDS=N, default 20000 per round)
# Runs docker/images/build.sh first (podman, its Docker-compatible socket, local images).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
records="${WEIR_SMOKE_RECORDS:-20000}"
keys=200
export DOCKER_HOST="${DOCKER_HOST:-unix:///run/podman/podman.sock}"
export WEIR_REST_TOKEN="${WEIR_REST_TOKEN:-smoke-$RANDOM$RANDOM}"
# The project's versions, from the parent POM (as docker/images/build.sh reads them).
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$root/pom.xml" | head -n 1; }
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -n 1)"
KAFKA_VERSION="$(prop kafka.version)"
S3PROXY_VERSION="$(prop s3proxy.version)"
REGISTRY_VERSION="$(prop apicurio-registry.version)"
# Locally built stand-ins for the public images (docker/images/build.sh).
export KAFKA_IMAGE="${KAFKA_IMAGE:-localhost/weir/kafka:$KAFKA_VERSION}"
export S3PROXY_IMAGE="${S3PROXY_IMAGE:-localhost/weir/s3proxy:$S3PROXY_VERSION}"
export REGISTRY_IMAGE="${REGISTRY_IMAGE:-localhost/weir/registry:$REGISTRY_VERSION}"
export WEIR_BASE_IMAGE="${WEIR_BASE_IMAGE:-localhost/weir/jre17:bookworm}"
export WEIR_IMAGE="${WEIR_IMAGE:-localhost/weir/weir:$version}"
compose=(docker-compose -p weir-smoke -f "$here/compose.yaml")
started=$SECONDS

step() { printf '\n== [%3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() { echo "SMOKE: FAILED: $*" >&2; "${compose[@]}" logs --tail=80 weir >&2 || true; exit 1; }

cleanup() { "${compose[@]}" down -v >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "podman, its socket and the local images (docker/images/build.sh; seconds when done before)"
bash "$here/images/build.sh" >/dev/null

step "distribution jars (mvn package) and the Weir image"
(cd "$root" && mvn -B -q -DskipTests package -pl docker -am)
podman build -q --build-arg BASE_IMAGE="$WEIR_BASE_IMAGE" -t "$WEIR_IMAGE" "$here" >/dev/null

step "compose up (kafka, s3, registry, init, weir)"
cleanup
"${compose[@]}" up -d

wait_ready() {
  for _ in $(seq 1 120); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8081/health/ready)" = 200 ]; then
      return 0
    fi
    sleep 2
  done
  fail "the job is not ready after 240 s"
}
wait_ready
echo "ready: $(curl -s http://127.0.0.1:8081/status)"

# Round r's input: key k<i mod keys>, amount i, for i in [from, to).
produce() {
  local from=$1 to=$2
  python3 -c "
import sys
for i in range($from, $to):
    sys.stdout.write('k%d:{\"amount\":%d}\n' % (i % $keys, i))
" | "${compose[@]}" exec -T kafka /opt/kafka/bin/kafka-console-producer.sh \
      --bootstrap-server kafka:9092 --topic amounts --property parse.key=true --property key.separator=: \
      --producer-property acks=all >/dev/null
}

# Reads the committed output and checks it against the input [0, total): every key's updates
# are count 1, 2, … n exactly once, with the running sums of its amounts in input order.
check() {
  local total=$1
  for _ in $(seq 1 60); do
    "${compose[@]}" exec -T kafka /opt/kafka/bin/kafka-console-consumer.sh \
        --bootstrap-server kafka:9092 --topic totals --from-beginning --isolation-level read_committed \
        --formatter-property print.key=true --formatter-property key.separator=' ' --timeout-ms 8000 2>/dev/null \
        > "$here/target/smoke-output.txt" || true
    if [ "$(wc -l < "$here/target/smoke-output.txt")" -ge "$total" ]; then
      break
    fi
    sleep 3
  done
  python3 - "$here/target/smoke-output.txt" "$total" "$keys" <<'PY'
import collections, json, sys
path, total, keys = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per_key = collections.defaultdict(list)
for line in open(path):
    if not line.startswith("k"):
        print("not a result: " + line.rstrip())
        continue
    key, value = line.rstrip("\n").split(" ", 1)
    v = json.loads(value)
    per_key[key].append((v["count"], v["sum"]))
expected = collections.defaultdict(list)
sums = collections.Counter()
for i in range(total):
    k = "k%d" % (i % keys)
    sums[k] += i
    expected[k].append((len(expected[k]) + 1, sums[k]))
lost = repeated = wrong = 0
for k in expected:
    got = sorted(per_key.get(k, []))
    counts = collections.Counter(c for c, _ in got)
    repeated += sum(n - 1 for n in counts.values() if n > 1)
    lost += sum(1 for c, _ in expected[k] if c not in counts)
    wrong += sum(1 for e, g in zip(expected[k], sorted(set(got))) if e != g)
n = sum(len(v) for v in per_key.values())
print(f"output: {n} results for {len(per_key)} keys; expected {total}: lost {lost}, repeated {repeated}, wrong {wrong}")
sys.exit(0 if n == total and lost == repeated == wrong == 0 else 1)
PY
}

step "round 1: $records records"
produce 0 "$records"
check "$records" || fail "round 1 output is not exactly once"

step "stop with a savepoint over REST (weir savepoint stop)"
location="$("$root/weir" savepoint stop --url http://127.0.0.1:8081 --timeout 3m | tail -1)"
echo "savepoint: $location"
case "$location" in s3://weir/savepoints/*) ;; *) fail "no savepoint location: $location" ;; esac
for _ in $(seq 1 60); do
  [ "$(podman inspect -f '{{.State.Running}}' weir-smoke_weir_1 2>/dev/null)" = true ] || break
  sleep 1
done
echo "job container exit code: $(podman inspect -f '{{.State.ExitCode}}' weir-smoke_weir_1)"

step "round 2: $records more records while the job is stopped, then start from the savepoint"
produce "$records" "$((2 * records))"
SAVEPOINT_PATH="$location" "${compose[@]}" up -d --no-deps weir
wait_ready
status="$(curl -s http://127.0.0.1:8081/status)"
echo "status: $status"
case "$status" in *"\"restoredCheckpoint\":${location##*-}"[,}]*) ;; *) fail "not restored from $location" ;; esac
check "$((2 * records))" || fail "round 2 output is not exactly once"

step "metrics scrape"
curl -s http://127.0.0.1:8081/metrics | grep -E '^weir_checkpoints_completed_total|^weir_job_records_in_total' \
  || fail "no metrics"

step "Prometheus scrapes /metrics and answers every query of the Grafana dashboard"
# Debian's prometheus on the host stands in for the compose profile's image (not pullable here).
command -v prometheus >/dev/null || apt-get install -y -qq --no-install-recommends prometheus >/dev/null
prom="$here/target/smoke-prometheus"
rm -rf "$prom" && mkdir -p "$prom"
printf 'global:\n  scrape_interval: 2s\nscrape_configs:\n  - job_name: weir\n    static_configs:\n      - targets: ["127.0.0.1:8081"]\n' \
  > "$prom/prometheus.yml"
prometheus --config.file="$prom/prometheus.yml" --storage.tsdb.path="$prom/data" \
  --web.listen-address=127.0.0.1:9091 > "$prom/log" 2>&1 &
prom_pid=$!
sleep 12
python3 - "$here/grafana/dashboards/weir.json" <<'PY' || { kill $prom_pid; fail "Prometheus or the dashboard's queries"; }
import json, sys, urllib.parse, urllib.request
def query(q):
    url = "http://127.0.0.1:9091/api/v1/query?" + urllib.parse.urlencode({"query": q})
    return json.load(urllib.request.urlopen(url))
up = query('up{job="weir"}')["data"]["result"]
assert up and up[0]["value"][1] == "1", f"target not up: {up}"
records = query("weir_job_records_in_total")["data"]["result"]
print("prometheus: up, weir_job_records_in_total =", records[0]["value"][1])
exprs = [t["expr"] for p in json.load(open(sys.argv[1]))["panels"] for t in p["targets"]]
empty = []
for e in exprs:
    r = query(e)
    assert r["status"] == "success", f"{e}: {r}"
    if not r["data"]["result"]:
        empty.append(e)
print(f"dashboard: {len(exprs)} queries valid, {len(exprs) - len(empty)} with data")
for e in empty:
    print("  no data yet (counts nothing so far, or needs a longer window):", e)
PY
kill $prom_pid

step "jib's image, from the same base: it loads and its launcher starts"
rm -f "$here/target/smoke-base.tar"
podman save -q -o "$here/target/smoke-base.tar" "$WEIR_BASE_IMAGE"
(cd "$root" && mvn -B -q -pl docker -am -DskipTests package jib:buildTar \
  -Dweir.image.base="tar://$here/target/smoke-base.tar" -Dweir.image.name="localhost/weir/weir-jib:$version")
podman load -q -i "$here/target/jib-image.tar" >/dev/null
answer="$(podman run --rm "localhost/weir/weir-jib:$version" run 2>&1 || true)"
case "$answer" in
  *"weir run needs a job: one of [avro-aggregate, keyed-aggregate]"*) ;;
  *) fail "jib's image does not start the launcher: $answer" ;;
esac
echo "jib image: starts, knows the reference jobs"

echo
echo "SMOKE: OK in $((SECONDS - started)) s"
