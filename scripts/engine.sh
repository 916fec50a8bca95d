#!/usr/bin/env bash
# Makes sure a container engine answers and the base images scannable's examples and
# tests use exist in it. No registry is reachable here, so base images are made
# from Debian packages: debian:bookworm with debootstrap, busybox from busybox-static.
# Idempotent: a second run with everything in place takes well under a second.
#
#   bash scripts/engine.sh          Docker (dockerd) at the default socket
#   bash scripts/engine.sh podman   Podman's Docker-compatible service at unix:///run/podman/podman.sock
#                                   (then: export DOCKER_HOST=unix:///run/podman/podman.sock)
set -euo pipefail
ENGINE=${1:-docker}
case "$ENGINE" in docker | podman) ;; *) echo "usage: engine.sh [docker|podman]" >&2; exit 2 ;; esac
PODMAN_SOCKET=/run/podman/podman.sock

log() { printf 'engine.sh: %s\n' "$*" >&2; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
DOCKER=${DOCKER:-docker}
# Debian's 20.10 client talks to the 20.10 engine without surprises; prefer it when present.
[ -x /usr/bin/docker ] && DOCKER=/usr/bin/docker
CACHE_DIR=${SCANNABLE_IMAGE_CACHE:-/var/cache/scannable}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# The image commands go to the engine being set up: docker's CLI, or podman's own.
CLI=$DOCKER
QUIET=""
[ "$ENGINE" = podman ] && CLI=podman && QUIET=--quiet

engine_answers() {
  if [ "$ENGINE" = podman ]; then
    DOCKER_HOST=unix://$PODMAN_SOCKET $DOCKER version --format '{{.Server.Version}}' >/dev/null 2>&1
  else
    $DOCKER version --format '{{.Server.Version}}' >/dev/null 2>&1
  fi
}

need_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx wget || missing+=(busybox-static)
  # getfattr reads overlay's opaque directories, so a RUN's changes come from its layer, not the engine.
  command -v getfattr >/dev/null 2>&1 || missing+=(attr)
  if [ "$ENGINE" = podman ]; then
    command -v podman >/dev/null 2>&1 || missing+=(podman)
    command -v runc >/dev/null 2>&1 || missing+=(runc)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# This sandbox refuses Podman's default rlimits ("error setting rlimit type 7"), and its
# cgroup v1/v2 hybrid is one crun refuses: run with no default ulimits, on runc.
configure_podman() {
  local conf=/etc/containers/containers.conf.d/50-scannable.conf
  [ -f "$conf" ] && return
  $SUDO mkdir -p "$(dirname "$conf")"
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' | $SUDO tee "$conf" >/dev/null
  log "wrote $conf (no default ulimits, runtime runc)"
}

start_podman() {
  if engine_answers; then return; fi
  configure_podman
  log "starting podman system service (log: /tmp/scannable-podman.log)"
  $SUDO mkdir -p "$(dirname "$PODMAN_SOCKET")"
  $SUDO rm -f "$PODMAN_SOCKET"
  $SUDO sh -c "nohup podman system service --time=0 unix://$PODMAN_SOCKET >/tmp/scannable-podman.log 2>&1 &"
  for _ in $(seq 1 60); do
    engine_answers && return
    sleep 0.5
  done
  log "podman's service did not answer within 30 s; see /tmp/scannable-podman.log"
  exit 1
}

start_engine() {
  if [ "$ENGINE" = podman ]; then start_podman; return; fi
  if engine_answers; then return; fi
  if [ -n "${DOCKER_HOST:-}" ]; then
    log "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST"
    exit 1
  fi
  log "starting dockerd (log: /tmp/scannable-dockerd.log)"
  # No bridge and no iptables: this sandbox has neither; containers use host networking.
  $SUDO sh -c 'nohup dockerd --iptables=false --bridge=none >/tmp/scannable-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do
    engine_answers && return
    sleep 0.5
  done
  log "dockerd did not answer within 30 s; see /tmp/scannable-dockerd.log"
  exit 1
}

have_image() { $CLI image inspect "$1" >/dev/null 2>&1; }

# Podman names an imported image as given; the fully qualified name is the one both its CLI and
# its Docker-compatible API find for `FROM debian:bookworm`.
image_name() { if [ "$ENGINE" = podman ]; then echo "docker.io/library/$1"; else echo "$1"; fi; }

# Deterministic tar of a root directory: sorted names, fixed owner and mtime, so
# the same debootstrap result always imports as the same layer.
tar_root() {
  tar -C "$1" --sort=name --numeric-owner --mtime='@0' --clamp-mtime -cf - .
}

make_bookworm() {
  have_image "$(image_name debian:bookworm)" && return
  local tarball="$CACHE_DIR/debian-bookworm-minbase.tar"
  if [ ! -s "$tarball" ]; then
    local dir
    dir=$(mktemp -d /tmp/scannable-bookworm.XXXXXX)
    log "debootstrap --variant=minbase bookworm (about a minute)"
    $SUDO debootstrap --variant=minbase bookworm "$dir" "$MIRROR" >/tmp/scannable-debootstrap.log 2>&1 || {
      log "debootstrap failed; see /tmp/scannable-debootstrap.log"; exit 1; }
    # What a registry's debian image also drops: apt lists and caches.
    $SUDO rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
    $SUDO mkdir -p "$CACHE_DIR"
    tar_root "$dir" | $SUDO tee "$tarball.tmp" >/dev/null
    $SUDO mv "$tarball.tmp" "$tarball"
    $SUDO rm -rf "$dir"
  fi
  log "importing debian:bookworm"
  $CLI import $QUIET -c 'CMD ["bash"]' "$tarball" "$(image_name debian:bookworm)" >/dev/null
}

make_busybox() {
  have_image "$(image_name busybox:latest)" && return
  local dir
  dir=$(mktemp -d /tmp/scannable-busybox.XXXXXX)
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc" "$dir/root"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  log "importing busybox:latest"
  tar_root "$dir" | $CLI import $QUIET -c 'CMD ["sh"]' - "$(image_name busybox:latest)" >/dev/null
  rm -rf "$dir"
}

need_packages
start_engine
make_bookworm
make_busybox
if [ "$ENGINE" = podman ]; then
  log "podman ready at unix://$PODMAN_SOCKET ($(podman version --format '{{.Server.Version}}' 2>/dev/null || podman --version)), base images: debian:bookworm busybox:latest"
else
  log "engine ready ($($DOCKER version --format '{{.Server.Version}}')), base images: debian:bookworm busybox:latest"
fi
