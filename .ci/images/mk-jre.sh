#!/bin/bash
# Java image without a registry: the host's Temurin 25 + the host libraries it needs (ldd) + busybox-static.
#   mk-jre.sh jlink [TAG]   runtime made with jlink (~140 MB)       default TAG local/jre:25
#   mk-jre.sh full  [TAG]   the whole JDK, for a Maven builder stage default TAG local/jdk-builder:25
# Env: JDK (default: /usr/lib/jvm/temurin-25-jdk*), MODULES (jlink's --add-modules list), WORK (scratch dir).
# Adapted from ../shared/reference/mk-busybox-jre.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

MODE=${1:-jlink}
case "$MODE" in
  jlink) TAG=${2:-local/jre:25} ;;
  full)  TAG=${2:-local/jdk-builder:25} ;;
  *) echo "usage: $0 jlink|full [tag]" >&2; exit 2 ;;
esac
J=$(jdk25)

# What a Spring Boot 4 service with jetcd (gRPC, Netty), Micrometer and the JDK's HTTP client needs,
# plus the management/JFR/debug agents that make a running service inspectable.
DEFAULT_MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,\
java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,\
java.transaction.xa,java.xml,jdk.crypto.cryptoki,jdk.httpserver,jdk.jdwp.agent,jdk.jfr,jdk.management,\
jdk.management.agent,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs

t0=$(now_ns)
W=$(mktemp -d "${WORK:-/tmp}/kube4j-img.XXXXXX"); trap 'rm -rf "$W"' EXIT
R=$W/rootfs
rootfs_init "$R"
mkdir -p "$R/opt"
if [ "$MODE" = full ]; then
  # -L: Debian-packaged JDKs link lib/security/cacerts to the host's /etc/ssl/certs/java/cacerts
  cp -rLp "$J" "$R/opt/java"
else
  # JEP 493: Temurin 25 ships no jmods/, jlink links from the JDK's own run-time image instead
  "$J/bin/jlink" --add-modules "${MODULES:-$DEFAULT_MODULES}" --strip-debug --no-man-pages \
    --no-header-files --generate-cds-archive --output "$R/opt/java" >/dev/null
fi
mapfile -t elves < <(find "$R/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \))
rootfs_add_libs "$R" "${elves[@]}"
rootfs_add_busybox "$R"
if [ "$MODE" = full ]; then
  # The Maven wrapper downloads Maven with wget when `command -v wget` finds one, but busybox wget fails
  # the TLS handshake with Maven Central (and checks no certificates). Busybox's sh finds its wget applet
  # even without a link, so the builder's /bin/sh is the host's dash and there is no wget: the wrapper
  # falls back to its Java downloader, which uses the JDK's TLS and trust store.
  rm "$R/bin/wget"
  cp /bin/dash "$R/bin/dash"; ln -sfn dash "$R/bin/sh"
  rootfs_add_libs "$R" /bin/dash
fi
ln -s /opt/java/bin/java "$R/usr/local/bin/java"

rootfs_import "$R" "$TAG" \
  "ENV JAVA_HOME=/opt/java" \
  "ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  "LABEL $RECIPE_LABEL=$(recipe_hash "$HERE/lib.sh" "${BASH_SOURCE[0]}") io.kube4j.image.jdk=$("$J/bin/java" -XshowSettings:properties -version 2>&1 | awk '/java.runtime.version/{print $3}')" \
  'CMD ["/bin/sh"]'
echo "built $TAG ($MODE of $J) in $(since "$t0"): $(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%d MB", $1/1e6}')"
