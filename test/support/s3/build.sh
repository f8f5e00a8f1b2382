#!/usr/bin/env bash
# Builds the S3-compatible server the backup tests store into (`npm run s3-server`): the Versity S3
# Gateway from the Go module pinned in toolchain/go/s3-server. The binary lives outside the clone in
# $SUPABASE_FLEET_CACHE/s3-server/<key>, keyed by the Go version and the module files, and
# s3-server/current points at it (test/support/s3/server.ts starts it from there).
set -euo pipefail
for arg in "$@"; do case "$arg" in -h|--help)
    printf 'usage: npm run s3-server\n'; sed -n '2,5s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac; done
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
module="$repo/toolchain/go/s3-server"
# shellcheck source=../../../toolchain/require-go.sh
source "$repo/toolchain/require-go.sh" s3-server
cache="${SUPABASE_FLEET_CACHE:-$HOME/.cache/supabase-fleet}/s3-server"
key="$( (go version; cat "$module/go.mod" "$module/go.sum" "$module/tools.go") | sha256sum | cut -c1-16)"
out="$cache/$key"
log() { printf 's3-server: %s\n' "$*" >&2; }
mkdir -p "$cache"
if [ ! -x "$out/versitygw" ]; then
    log "building the Versity S3 Gateway from Go modules (about a minute, once)"
    mkdir -p "$out"
    (cd "$module" && CGO_ENABLED=0 GOFLAGS="-trimpath -mod=readonly" GOTOOLCHAIN=local \
        go build -ldflags "-s -w" -o "$out/versitygw.part" github.com/versity/versitygw/cmd/versitygw) &&
        mv "$out/versitygw.part" "$out/versitygw"
else
    log "reusing $out"
fi
ln -sfn "$out" "$cache/current"
