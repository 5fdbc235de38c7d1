#!/usr/bin/env bash
# What CI checks of the container setup on a machine without a container engine (the full
# podman-based run is smoke.sh): the Dockerfile lints clean, the compose file is valid, and
# jib's image tarball has the user, entry point, ports, volume and environment the docs
# promise. Run from anywhere after `mvn -B -DskipTests package`:
#   bash docker/check.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
work="$here/target/check"
rm -rf "$work" && mkdir -p "$work"

step() { printf '\n== %s\n' "$*"; }

step "Dockerfile lint (dockerfilelint, from npm)"
if ! command -v dockerfilelint >/dev/null; then
  npm install --global --no-audit --no-fund --loglevel=error dockerfilelint@1.8.0 >/dev/null
fi
(cd "$here" && dockerfilelint Dockerfile)

step "compose file (docker-compose config)"
if ! command -v docker-compose >/dev/null; then
  apt-get install -y -qq docker-compose >/dev/null
fi
docker-compose -f "$here/compose.yaml" config --quiet
docker-compose -f "$here/compose.yaml" --profile monitoring config --services | sort | tr '\n' ' '
echo

step "jib image tarball, from a stub base (an empty layer: only the image's config is checked)"
python3 - "$work/stub-base.tar" <<'PY'
import hashlib, io, json, sys, tarfile
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w") as t:
    d = tarfile.TarInfo("tmp"); d.type = tarfile.DIRTYPE; d.mode = 0o1777
    t.addfile(d)
layer_bytes = layer.getvalue()
config = {"architecture": "amd64", "os": "linux", "config": {},
          "rootfs": {"type": "layers",
                     "diff_ids": ["sha256:" + hashlib.sha256(layer_bytes).hexdigest()]}}
config_bytes = json.dumps(config).encode()
manifest = [{"Config": "config.json", "RepoTags": ["weir/stub-base:check"], "Layers": ["layer.tar"]}]
with tarfile.open(sys.argv[1], "w") as out:
    for name, data in [("layer.tar", layer_bytes), ("config.json", config_bytes),
                       ("manifest.json", json.dumps(manifest).encode())]:
        info = tarfile.TarInfo(name); info.size = len(data)
        out.addfile(info, io.BytesIO(data))
PY
(cd "$root" && mvn -B -q -pl docker -am -DskipTests package jib:buildTar -Dweir.image.base="tar://$work/stub-base.tar" \
  -Djib.outputPaths.tar="$work/weir-image.tar")
python3 - "$work/weir-image.tar" <<'PY'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    manifest = json.load(t.extractfile("manifest.json"))[0]
    config = json.load(t.extractfile(manifest["Config"]))["config"]
    layers = [t.extractfile(l) for l in manifest["Layers"]]
    files = set()
    for l in layers:
        with tarfile.open(fileobj=l) as lt:
            files.update(m.name.lstrip("./").lstrip("/") for m in lt.getmembers())
env = dict(e.split("=", 1) for e in config.get("Env", []))
checks = {
    "user is not root": config.get("User") == "10001:0",
    "entrypoint runs the launcher": "dev.weir.launcher.WeirMain" in config.get("Entrypoint", []),
    "default command runs keyed-aggregate": config.get("Cmd") == ["run", "keyed-aggregate"],
    "REST port exposed": "8081/tcp" in config.get("ExposedPorts", {}),
    "state volume": "/var/lib/weir" in config.get("Volumes", {}),
    "REST listens beyond loopback": env.get("WEIR_REST_BIND_ADDRESS") == "0.0.0.0",
    "state under the volume": env.get("WEIR_STATE_LOCAL_DIR") == "/var/lib/weir/state",
    "heap from the container's memory": any("MaxRAMPercentage" in a for a in config.get("Entrypoint", [])),
    "launcher jar in the image": any("weir-launcher" in f for f in files),
    "reference jobs in the image": any("weir-examples" in f for f in files),
    "no test kit in the image": not any("weir-testkit" in f or "s3proxy" in f or "kafka_2.13" in f for f in files),
}
for name, ok in checks.items():
    print(("ok   " if ok else "FAIL ") + name)
if not all(checks.values()):
    print(json.dumps(config, indent=2))
    sys.exit(1)
PY
echo "docker/check.sh: OK"
