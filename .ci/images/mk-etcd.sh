#!/bin/bash
# etcd image without a registry: Debian's etcd-server/etcd-client 3.4 binaries + libc + busybox-static.
#   mk-etcd.sh [TAG]        default TAG local/etcd:3.4
# Laid out like quay.io/coreos/etcd (binaries in /usr/local/bin, also /bin/etcd), so a container command
# written for either image works with the other. Adapted from ../shared/reference/mk-busybox-etcd.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

TAG=${1:-local/etcd:3.4}
for b in /usr/bin/etcd /usr/bin/etcdctl; do
  [ -x "$b" ] || { echo "no $b: apt-get install etcd-server etcd-client" >&2; exit 1; }
done

t0=$(now_ns)
W=$(mktemp -d "${WORK:-/tmp}/kube4j-img.XXXXXX"); trap 'rm -rf "$W"' EXIT
R=$W/rootfs
rootfs_init "$R"
mkdir -p "$R/var/lib/etcd"
cp /usr/bin/etcd /usr/bin/etcdctl "$R/usr/local/bin/"
rootfs_add_libs "$R" /usr/bin/etcd /usr/bin/etcdctl
ln -s /usr/local/bin/etcd "$R/bin/etcd"; ln -s /usr/local/bin/etcdctl "$R/bin/etcdctl"
rootfs_add_busybox "$R"

# No ETCD_* variables here: etcd 3.4 refuses to start when a variable and the matching flag are both set.
rootfs_import "$R" "$TAG" \
  "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  "ENV ETCDCTL_API=3" \
  "EXPOSE 2379 2380" \
  "LABEL $RECIPE_LABEL=$(recipe_hash "$HERE/lib.sh" "${BASH_SOURCE[0]}") io.kube4j.image.etcd=$(/usr/bin/etcd --version | awk '/etcd Version/{print $3}')" \
  'CMD ["/usr/local/bin/etcd", "--data-dir=/var/lib/etcd", "--listen-client-urls=http://0.0.0.0:2379", "--advertise-client-urls=http://127.0.0.1:2379"]'
echo "built $TAG in $(since "$t0"): $(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%d MB", $1/1e6}')"
