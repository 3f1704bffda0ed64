# shellcheck shell=bash
# Helpers for the mk-*.sh scripts beside this file. With no container registry on the CI machines, an
# image is a root file system assembled from the host (Debian packages, the host's Temurin JDK) and
# handed to `docker import`. Adapted from the worked examples in ../shared/reference/mk-busybox-*.sh.

# Label that records which version of the scripts built an image: .ci/run rebuilds an image whose
# label differs, and only re-points alias tags (eclipse-temurin:25-jre, busybox:latest) that carry it.
# shellcheck disable=SC2034  # used by the scripts that source this file
RECIPE_LABEL=io.kube4j.image.recipe

# recipe_hash FILE...: short digest of the scripts that define an image
recipe_hash() { cat "$@" | sha256sum | cut -c1-16; }

# jdk25: the host's Temurin 25 JDK (a JRE next to it would have no jlink, no javac), or $JDK if set
jdk25() {
  local d found=${JDK:-}
  if [ -z "$found" ]; then
    for d in /usr/lib/jvm/temurin-25-jdk*; do [ -x "$d/bin/javac" ] && found=$d; done
  fi
  if [ -z "$found" ] || [ ! -x "$found/bin/java" ]; then
    echo "no Temurin 25 JDK in /usr/lib/jvm (set JDK=...)" >&2; return 1
  fi
  echo "$found"
}

now_ns() { date +%s%N; }
# since START_NS: seconds elapsed, e.g. "2.4s" (no bc on fresh machines)
since() { local ms=$(( ($(date +%s%N) - $1) / 1000000 )); printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100)); }

# rootfs_init DIR: an empty tree with the directories and /etc files that busybox, glibc and the JVM expect.
# /usr/bin, /usr/sbin and /sbin point to /bin so that both /bin/sh and /usr/bin/env style paths work.
rootfs_init() {
  local r=$1
  rm -rf "${r:?}"
  mkdir -p "$r"/{bin,tmp,etc,root,usr/local/bin,var/tmp,lib64,lib/x86_64-linux-gnu}
  chmod 1777 "$r/tmp" "$r/var/tmp"
  ln -s ../bin "$r/usr/bin"; ln -s ../bin "$r/usr/sbin"; ln -s bin "$r/sbin"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
  printf 'hosts: files dns\n' >"$r/etc/nsswitch.conf"
}

# rootfs_add_busybox DIR: the static busybox from busybox-static and one symlink per applet
# (sh, wget, httpd, nc, sleep, tar, unzip, ...), never replacing a file already in /bin.
rootfs_add_busybox() {
  local r=$1 bb=${BUSYBOX:-/bin/busybox} a
  [ -x "$bb" ] || { echo "no $bb: apt-get install busybox-static" >&2; return 1; }
  # a dynamically linked busybox (package busybox) would need the host's libc layout in every image
  if ldd "$bb" >/dev/null 2>&1; then echo "$bb is not static: apt-get install busybox-static" >&2; return 1; fi
  cp "$bb" "$r/bin/busybox"
  for a in $("$bb" --list); do [ -e "$r/bin/$a" ] || [ -L "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"; done
}

# rootfs_add_libs DIR FILE...: the host shared libraries that FILE... link against (ldd), plus the
# dynamic loader. Libraries already inside DIR (e.g. the JDK's own) and ones ldd cannot find
# (optional desktop libraries such as libasound) are skipped.
rootfs_add_libs() {
  local r=$1 lib; shift
  for f in "$@"; do ldd "$f" 2>/dev/null || true; done \
    | awk -v R="$r" '/=> \// { if (index($3, R) != 1) print $3 }' | sort -u \
    | while read -r lib; do cp -L "$lib" "$r/lib/x86_64-linux-gnu/${lib##*/}"; done
  cp -L /lib64/ld-linux-x86-64.so.2 "$r/lib64/"
}

# rootfs_import DIR TAG CHANGE...: `docker import` DIR as TAG; each CHANGE is a Dockerfile line (ENV, CMD, ...)
rootfs_import() {
  local r=$1 tag=$2 c; shift 2
  local args=()
  for c in "$@"; do args+=(-c "$c"); done
  tar --numeric-owner -C "$r" -c . | docker import "${args[@]}" - "$tag" >/dev/null
}
