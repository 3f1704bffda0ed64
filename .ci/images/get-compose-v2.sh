#!/bin/bash
# Installs the Docker Compose v2 CLI plugin (`docker compose`), which Debian bookworm does not package:
# Debian trixie's docker-compose package (compose 2.x, needs only libc >= 2.34) is fetched with apt from
# Debian's own archive using a private apt state (the host's apt configuration is untouched), unpacked
# without dpkg, and its binary put where every docker CLI looks for plugins. Adapted from
# ../shared/reference/get-compose-v2.sh.
set -euo pipefail
DEST=${1:-/usr/local/lib/docker/cli-plugins}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W"/lists/partial "$W"/cache/archives/partial "$W"/dl "$W"/x "$DEST"
echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' >"$W/sources.list"
A=(-o "Dir::Etc::SourceList=$W/sources.list" -o Dir::Etc::SourceParts=/nonexistent -o "Dir::State::Lists=$W/lists" -o "Dir::Cache=$W/cache")
apt-get "${A[@]}" update -q </dev/null >/dev/null
(cd "$W/dl" && apt-get "${A[@]}" download docker-compose </dev/null >/dev/null)
for f in "$W"/dl/*.deb; do dpkg-deb -x "$f" "$W/x"; done
install -m 0755 "$W/x/usr/libexec/docker/cli-plugins/docker-compose" "$DEST/docker-compose"
docker compose version
