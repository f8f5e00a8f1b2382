#!/usr/bin/env bash
# Builds envoy-check (`npm run envoy-check`), which validates a rendered Envoy bootstrap and its CDS/LDS
# files against go-control-plane's protos and validate rules, from the Go module in toolchain/go/envoy-check.
# The binary lives outside the clone in $SUPABASE_FLEET_CACHE/tools/envoy-check-<key>, keyed by the Go
# version and the module's files, so a warm run reuses it; tools/envoy-check points at it (the symlink
# test/support/envoyCheck.ts runs). Prints the binary's path.
set -euo pipefail
# Help before any work (go, the cache).
for arg in "$@"; do case "$arg" in -h|--help)
    printf 'usage: npm run envoy-check\n'; sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac; done
repo="$(cd "$(dirname "$0")/.." && pwd)"
module="$repo/toolchain/go/envoy-check"
# shellcheck source=../toolchain/require-go.sh
source "$repo/toolchain/require-go.sh" envoy-check
tools="${SUPABASE_FLEET_CACHE:-$HOME/.cache/supabase-fleet}/tools"
key="$( (go version; cd "$module" && cat go.mod go.sum main.go) | sha256sum | cut -c1-12)"
out="$tools/envoy-check-$key"
log() { printf 'envoy-check: %s\n' "$*" >&2; }
mkdir -p "$tools"
if [ -x "$out" ]; then
    log "reusing $out"
else
    log "building from Go modules (once per change of toolchain/go/envoy-check)"
    # Written beside the final name and renamed, so an interrupted build never leaves a binary
    # that a later run would reuse.
    (cd "$module" && CGO_ENABLED=0 GOFLAGS="-trimpath -mod=readonly" GOTOOLCHAIN=local \
        go build -ldflags "-s -w" -o "$out.part" .)
    mv -f "$out.part" "$out"
fi
ln -sfn "$out" "$tools/envoy-check"
echo "$out"
