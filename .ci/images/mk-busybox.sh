#!/bin/bash
# busybox image without a registry: only busybox-static (~2 MB). kube4j uses it as the pod sandbox
# ("pause") image and as the test workload image: its applets include sh, sleep, httpd, nc and wget.
#   mk-busybox.sh [TAG]     default TAG local/busybox:latest
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

TAG=${1:-local/busybox:latest}
t0=$(now_ns)
W=$(mktemp -d "${WORK:-/tmp}/kube4j-img.XXXXXX"); trap 'rm -rf "$W"' EXIT
R=$W/rootfs
rootfs_init "$R"
rm -rf "${R:?}/lib64" "${R:?}/lib"   # static binary: no loader, no libraries
mkdir -p "$R/var/www"
rootfs_add_busybox "$R"

rootfs_import "$R" "$TAG" \
  "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  "LABEL $RECIPE_LABEL=$(recipe_hash "$HERE/lib.sh" "${BASH_SOURCE[0]}")" \
  'CMD ["sh"]'
echo "built $TAG in $(since "$t0"): $(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.1f MB", $1/1e6}')"
