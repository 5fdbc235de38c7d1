#!/usr/bin/env bash
# Builds Weir's local container images with podman, on a Debian machine that cannot reach any
# container registry: a JRE 17 base made with debootstrap, then Kafka, S3Proxy and Apicurio
# Registry images made from their Maven Central artifacts on that base. Then serves podman's
# Docker-compatible API so Testcontainers and docker-compose can use the images.
#
# Idempotent: packages, configuration and images that are already there are left alone
# (set WEIR_IMAGES_REBUILD=1 to rebuild the service images; the base image is kept unless
# removed with `podman rmi localhost/weir/jre17:bookworm`).
#
# Usage: docker/images/build.sh [kafka|s3proxy|registry ...]   (as root; needs apt and Maven
#        Central; no arguments builds all three)
#        WEIR_IMAGES_SKIP_SERVICE=1 build.sh ...  builds the images but does not start the API socket
#        WEIR_IMAGES_MVN_ARGS=-o build.sh ...      extra Maven options for fetching the jars
#        WEIR_PODMAN_SOCKET=/path build.sh ...     serves the API there (default /run/podman/podman.sock)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BASE_IMAGE="localhost/weir/jre17:bookworm"
SOCKET="${WEIR_PODMAN_SOCKET:-/run/podman/podman.sock}"
MVN="${MVN:-mvn}"

# The versions are the project's own, read from the parent POM's properties.
prop() {
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$ROOT/pom.xml" | head -n 1
}
KAFKA_VERSION="$(prop kafka.version)"
S3PROXY_VERSION="$(prop s3proxy.version)"
REGISTRY_VERSION="$(prop apicurio-registry.version)"
for v in KAFKA_VERSION S3PROXY_VERSION REGISTRY_VERSION; do
  [[ -n "${!v}" ]] || { echo "build.sh: cannot read $v from $ROOT/pom.xml" >&2; exit 1; }
done

log() { printf '[build.sh %(%H:%M:%S)T] %s\n' -1 "$*"; }

# Runs a named step and prints how long it took.
step() {
  local name="$1"; shift
  local start=$SECONDS
  log "$name ..."
  "$@"
  log "$name: done in $((SECONDS - start)) s"
}

image_exists() { podman image exists "$1"; }

install_packages() {
  local missing=()
  # dnsname: compose services find each other by name on podman's CNI networks (Debian's
  # podman 4.3 uses CNI, not netavark).
  for pkg in podman runc debootstrap docker-compose uidmap slirp4netns \
    golang-github-containernetworking-plugin-dnsname curl unzip; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "packages already installed"
    return
  fi
  log "installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# crun fails on this kind of machine and the default ulimits (nofile 1048576) are above what
# the runtime may set here, hence runc and lower limits. Overlay storage is kept when a
# container actually runs on it; otherwise the storage driver falls back to vfs.
configure_podman() {
  local conf=/etc/containers/containers.conf.d/50-weir.conf
  mkdir -p "$(dirname "$conf")"
  local want
  want=$(cat <<'CONF'
# Written by Weir's docker/images/build.sh.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
CONF
)
  if [[ "$(cat "$conf" 2>/dev/null)" != "$want" ]]; then
    printf '%s\n' "$want" >"$conf"
    log "wrote $conf"
  fi
  if [[ ! -e /etc/containers/storage.conf ]]; then
    printf '[storage]\ndriver = "overlay"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
      >/etc/containers/storage.conf
  fi
  log "podman: runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'), storage $(podman info --format '{{.Store.GraphDriverName}}')"
}

# Called once the base image exists: a container must start on the chosen storage driver. podman
# cannot change the driver of existing storage, so falling back to vfs empties it (then rebuilds
# the base); on a machine where overlay works nothing is touched.
check_storage() {
  if podman run --rm --network none "$BASE_IMAGE" true >/dev/null 2>&1; then
    return
  fi
  log "a container does not start on $(podman info --format '{{.Store.GraphDriverName}}') storage; switching to vfs"
  sed -i 's/^driver = .*/driver = "vfs"/' /etc/containers/storage.conf
  podman system reset --force >/dev/null
  podman info --format '{{.Store.GraphDriverName}}'
  build_base
  podman run --rm --network none "$BASE_IMAGE" true
}

build_base() {
  if image_exists "$BASE_IMAGE"; then
    log "$BASE_IMAGE exists, kept"
    return
  fi
  local root
  root="$(mktemp -d /var/tmp/weir-jre17-rootfs.XXXXXX)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
    bookworm "$root" http://deb.debian.org/debian
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* \
    "$root"/usr/share/man/*
  tar -C "$root" -c . | podman import \
    --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    --message "Debian bookworm minbase + openjdk-17-jre-headless (Weir build.sh)" \
    - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
  podman run --rm --network none "$BASE_IMAGE" java -version
}

# Copies the runtime jars of the POM in a build context into <context>/target/lib.
fetch_jars() {
  local ctx="$1"
  rm -rf "$ctx/target"
  # shellcheck disable=SC2086 # a list of Maven options
  "$MVN" -B -q -Dstyle.color=never -f "$ctx/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$ctx/target/lib" ${WEIR_IMAGES_MVN_ARGS:-}
  log "$(find "$ctx/target/lib" -name '*.jar' | wc -l) jars in $ctx/target/lib"
}

needs_build() {
  if image_exists "$1" && [[ -z "${WEIR_IMAGES_REBUILD:-}" ]]; then
    log "$1 exists, kept (WEIR_IMAGES_REBUILD=1 rebuilds)"
    return 1
  fi
}

# podman build of context $2 tagged $1, with extra arguments; a rebuild removes the image it
# replaces, so WEIR_IMAGES_REBUILD=1 leaves no untagged images behind.
podman_build() {
  local tag="$1" ctx="$2"
  shift 2
  local old=""
  image_exists "$tag" && old="$(podman image inspect --format '{{.Id}}' "$tag")"
  podman build --quiet --build-arg BASE_IMAGE="$BASE_IMAGE" "$@" -t "$tag" "$ctx" >/dev/null
  if [[ -n "$old" && "$old" != "$(podman image inspect --format '{{.Id}}' "$tag")" ]]; then
    podman rmi "$old" >/dev/null 2>&1 || log "kept the replaced image ${old:0:12} (in use)"
  fi
}

build_kafka() {
  local tag="localhost/weir/kafka:$KAFKA_VERSION" ctx="$HERE/kafka"
  needs_build "$tag" || return 0
  fetch_jars "$ctx"
  podman_build "$tag" "$ctx" --build-arg KAFKA_VERSION="$KAFKA_VERSION"
}

build_s3proxy() {
  local tag="localhost/weir/s3proxy:$S3PROXY_VERSION" ctx="$HERE/s3proxy"
  needs_build "$tag" || return 0
  fetch_jars "$ctx"
  podman_build "$tag" "$ctx"
}

# Apicurio's app is a zip on Central whose POM names a parent that Central does not serve, so
# Maven cannot resolve it; the file itself is taken from the local repository (where the
# testkit's RegistryDistribution puts it) or from Central, then unpacked into the context.
build_registry() {
  local tag="localhost/weir/registry:$REGISTRY_VERSION" ctx="$HERE/registry"
  needs_build "$tag" || return 0
  local rel="io/apicurio/apicurio-registry-app/$REGISTRY_VERSION/apicurio-registry-app-$REGISTRY_VERSION-all.zip"
  local zip="$HOME/.m2/repository/$rel"
  if [[ ! -f "$zip" ]]; then
    mkdir -p "$(dirname "$zip")"
    curl -fsSL -o "$zip.part" "https://repo.maven.apache.org/maven2/$rel"
    curl -fsSL -o "$zip.sha1" "https://repo.maven.apache.org/maven2/$rel.sha1"
    echo "$(cut -c1-40 "$zip.sha1")  $zip.part" | sha1sum -c --quiet -
    mv "$zip.part" "$zip"
  fi
  rm -rf "$ctx/target"
  mkdir -p "$ctx/target/app"
  unzip -q "$zip" -d "$ctx/target/app"
  podman_build "$tag" "$ctx" --build-arg REGISTRY_VERSION="$REGISTRY_VERSION"
}

start_service() {
  local pidfile=/run/podman/weir-podman-service.pid
  mkdir -p "$(dirname "$SOCKET")"
  if [[ -S "$SOCKET" ]] && curl -fsS --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1; then
    log "podman API already serving on $SOCKET"
    return
  fi
  rm -f "$SOCKET"
  # Its own session: it outlives the shell (and the process group) that started it.
  setsid nohup podman system service --time=0 "unix://$SOCKET" >/var/log/weir-podman-service.log 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 50); do
    curl -fsS --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS --unix-socket "$SOCKET" http://d/_ping >/dev/null
  log "podman API serving on $SOCKET (pid $(cat "$pidfile"), log /var/log/weir-podman-service.log)"
}

main() {
  local total=$SECONDS
  [[ "$(id -u)" == 0 ]] || { echo "build.sh: run as root (rootful podman, apt, debootstrap)" >&2; exit 1; }
  step "packages" install_packages
  step "podman configuration" configure_podman
  step "base image $BASE_IMAGE" build_base
  step "storage check" check_storage
  local images=("$@")
  ((${#images[@]})) || images=(kafka s3proxy registry)
  for image in "${images[@]}"; do
    case "$image" in
      kafka | s3proxy | registry) step "$image image" "build_$image" ;;
      base) ;;
      *) echo "build.sh: unknown image '$image' (kafka, s3proxy, registry, base)" >&2; exit 2 ;;
    esac
  done
  if [[ -z "${WEIR_IMAGES_SKIP_SERVICE:-}" ]]; then
    step "podman API socket" start_service
  fi
  log "all done in $((SECONDS - total)) s"
  podman images --filter reference='localhost/weir/*' \
    --format '  {{.Repository}}:{{.Tag}}  {{.Size}}'
  cat <<MSG

For Testcontainers and docker-compose:
  export DOCKER_HOST=unix://$SOCKET
  export TESTCONTAINERS_RYUK_DISABLED=true
  export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
  export WEIR_TEST_KAFKA=testcontainers
  export WEIR_TEST_KAFKA_IMAGE=localhost/weir/kafka:$KAFKA_VERSION
MSG
}

main "$@"
