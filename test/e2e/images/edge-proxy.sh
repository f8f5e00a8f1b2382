#!/usr/bin/env bash
# Builds the edge proxy's local image under its pinned name (components/hostServices/catalog.ts):
# the real Caddy, built from its Go module (toolchain/go/edge-proxy), on the suite's Debian base,
# which gives the shell the routes writer runs in. Called by build.sh with the base image's name.
# Cached by a key over the Go version, the module files and the base: the binary in
# $SUPABASE_FLEET_CACHE/images, the image in the Docker engine (labelled with the key).
set -euo pipefail
base="$1"
kit="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$kit/../../.." && pwd)"
module="$repo/toolchain/go/edge-proxy"
cache="${SUPABASE_FLEET_CACHE:-$HOME/.cache/supabase-fleet}/images"
label="supabase-fleet.test-image-key"
log() { printf 'images: %s\n' "$*" >&2; }
image="$(cd "$repo" && node --import tsx -e 'import("./components/hostServices/catalog.ts").then((m) => console.log(m.EDGE_PROXY_IMAGE))')"
binary_key="$( (go version; cat "$module/go.mod" "$module/go.sum" "$module/tools.go") | sha256sum | cut -c1-12)"
key="$( (echo "$binary_key $base"; sha256sum "$0") | sha256sum | cut -c1-16)"
if [ "$(docker images --filter "label=$label=$key" --format '{{.Repository}}:{{.Tag}}')" = "$image" ]; then
    log "$image is current (key $key)"
    exit 0
fi
binary="$cache/caddy-$binary_key"
if [ ! -x "$binary" ]; then
    log "building Caddy from the caddyserver/caddy Go module (about two minutes, once)"
    (cd "$module" && CGO_ENABLED=0 GOFLAGS="-trimpath -mod=readonly" GOTOOLCHAIN=local \
        go build -ldflags "-s -w" -o "$binary.part" github.com/caddyserver/caddy/v2/cmd/caddy) && mv "$binary.part" "$binary"
fi
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp "$binary" "$context/caddy"
printf 'FROM %s\nCOPY caddy /usr/bin/caddy\nLABEL %s=%s\nENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data\nEXPOSE 80 443\nCMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]\n' "$base" "$label" "$key" >"$context/Dockerfile"
docker build -q -t "$image" "$context" >"$cache/edge-proxy-build.log" 2>&1 || { cat "$cache/edge-proxy-build.log" >&2; exit 1; }
log "built $image (key $key)"
