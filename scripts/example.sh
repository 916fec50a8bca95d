#!/usr/bin/env bash
# The main job, end to end: build examples/concourse (our version of the image
# that started the project) into an image, its CycloneDX SBOM and its Open
# Source License file. Outputs land in out/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/engine.sh
[ -f dist/bundle/main.js ] || npm run build --silent
bash examples/concourse/make-release.sh >/dev/null
mkdir -p out

# --network host: this machine's engine has no bridge network; RUN reaches Debian's mirror through the host.
node bin/scannable.js build --network host -t scannable-example/concourse:latest \
  --sbom out/concourse.cdx.json examples/concourse
node bin/scannable.js osl out/concourse.cdx.json -o out/concourse-OSL.txt
node bin/scannable.js sources out/concourse.cdx.json > out/concourse-sources.txt

echo
echo "image:   scannable-example/concourse:latest"
echo "SBOM:    out/concourse.cdx.json"
echo "OSL:     out/concourse-OSL.txt"
echo "sources: out/concourse-sources.txt"
