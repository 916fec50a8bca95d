#!/bin/sh
# Prints the versions of the two tools this image was built for.
set -eu
jq --version
curl --version | head -n 1
