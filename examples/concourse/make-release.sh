#!/usr/bin/env bash
# Builds the stand-in release tarball linux-rc/concourse-7.99.0-linux-amd64.tgz
# from release/, byte-for-byte reproducibly (sorted names, fixed owner, mtime
# and gzip header), so the example's SBOM is the same on every machine.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p linux-rc
tar -C release --sort=name --owner=0 --group=0 --numeric-owner --mtime='@1700000000' \
    --mode='u+rwX,go+rX,go-w' -cf - concourse | gzip -n -9 > linux-rc/concourse-7.99.0-linux-amd64.tgz.tmp
mv linux-rc/concourse-7.99.0-linux-amd64.tgz.tmp linux-rc/concourse-7.99.0-linux-amd64.tgz
echo "linux-rc/concourse-7.99.0-linux-amd64.tgz"
