#!/usr/bin/env bash
# Builds the local images of the end-to-end suite under the pinned names of components/catalog.ts
# (`npm run images`), so that RemoteImage finds them and never pulls. No registry is used:
#   - Debian root file systems from debootstrap (curl, wget, this machine's node, and PostgreSQL: 15 on
#     Debian 12 bookworm, 17 on Debian 13 trixie), each imported once as a base image;
#   - db: the base of its Postgres major with an entrypoint that does what the supabase/postgres image
#     does (db/);
#   - auth: the real GoTrue, built from the supabase/auth Go module (toolchain/go/gotrue);
#   - every other service: the stand-in of standin/, with the spec standins.ts derives for it (the
#     envoy one carries envoy-check, built from Go modules, and checks its config with it at start);
#   - the edge proxy of the host stacks: the real Caddy, built from its Go module (edge-proxy.sh).
# Cached by a key over everything they are built from: the root file system tarball and the GoTrue
# binary in $SUPABASE_FLEET_CACHE, the images in the Docker engine (labelled with the key).
set -euo pipefail
# Help before any work (docker, debootstrap, go).
for arg in "$@"; do case "$arg" in -h|--help)
    printf 'usage: npm run images\n'; sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac; done
kit="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$kit/../../.." && pwd)"
# shellcheck source=../../../toolchain/require-go.sh
source "$repo/toolchain/require-go.sh" images
cache="${SUPABASE_FLEET_CACHE:-$HOME/.cache/supabase-fleet}/images"
mkdir -p "$cache"
log() { printf 'images: %s\n' "$*" >&2; }
started=$SECONDS

plan="$(cd "$repo" && node --import tsx "$kit/standins.ts")"
# One Debian base per Postgres major of the releases' db images: bookworm ships PostgreSQL 15, trixie 17.
# Every other image is built on the bookworm base.
suite_of() { case "$1" in 15) echo bookworm ;; 17) echo trixie ;; *) echo "images: no Debian suite ships PostgreSQL $1" >&2; exit 1 ;; esac; }
packages_of() { echo "postgresql-$1,postgresql-client-$1,curl,wget,busybox,ca-certificates,libstdc++6,procps"; }
# The packages name the major, and with it the suite; bookworm's key is the one it had before trixie.
rootfs_key_of() { ( packages_of "$1"; sha256sum "$(command -v node)" ) | sha256sum | cut -c1-12; }
majors="$(node -e 'console.log([...new Set([15, ...JSON.parse(process.argv[1]).filter((e) => e.kind === "db").map((e) => e.postgresMajor)])].sort().join(" "))' "$plan")"
rootfs_keys="$(for major in $majors; do printf '%s=%s ' "$major" "$(rootfs_key_of "$major")"; done)"
# envoy-check, which the envoy stand-in runs on its config at start (scripts/build-envoy-check.sh).
envoy_check="$(bash "$repo/scripts/build-envoy-check.sh")"
envoy_check_key="$(basename "$envoy_check")"
gotrue_key="$( (go version; cat "$repo/toolchain/go/gotrue/go.mod" "$repo/toolchain/go/gotrue/go.sum") | sha256sum | cut -c1-12)"
key="$( (echo "$rootfs_keys $gotrue_key $envoy_check_key $plan"; cd "$kit" && find . -type f ! -name '*.md' | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16)"
label="supabase-fleet.test-image-key"

# All images already built from these inputs: nothing to do.
wanted="$(node -e 'console.log(JSON.parse(process.argv[1]).map((e) => e.image).join("\n"))' "$plan")"
have="$(docker images --filter "label=$label=$key" --format '{{.Repository}}:{{.Tag}}' | LC_ALL=C sort)"
edge_proxy() { bash "$kit/edge-proxy.sh" "supabase-fleet-test/base:$(rootfs_key_of 15)"; }
if [ "$have" = "$(echo "$wanted" | LC_ALL=C sort)" ]; then
    log "all $(echo "$wanted" | wc -l) images are current (key $key)"
    edge_proxy
    exit 0
fi

# --- base root file systems, one per Postgres major -------------------------------------------
base_of() { echo "supabase-fleet-test/base:$(rootfs_key_of "$1")"; }
for major in $majors; do
    rootfs_key="$(rootfs_key_of "$major")"
    suite="$(suite_of "$major")"
    base="$(base_of "$major")"
    docker image inspect "$base" >/dev/null 2>&1 && continue
    tarball="$cache/rootfs-$rootfs_key.tar"
    if [ ! -s "$tarball" ]; then
        command -v debootstrap >/dev/null || { apt-get install -y -qq debootstrap >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq debootstrap; }; }
        root="$cache/rootfs-$rootfs_key.d"
        rm -rf "$root"
        log "debootstrap $suite with $(packages_of "$major") (a few minutes, once)"
        debootstrap --variant=minbase --include="$(packages_of "$major")" "$suite" "$root" http://deb.debian.org/debian >"$cache/debootstrap-$suite.log" 2>&1 ||
            { tail -20 "$cache/debootstrap-$suite.log" >&2; exit 1; }
        # Debian's packaging starts a default cluster: the images make their own.
        rm -rf "$root/var/lib/postgresql/$major" "$root/etc/postgresql/$major" "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*
        install -m 0755 "$(command -v node)" "$root/usr/local/bin/node"
        tar -C "$root" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
        rm -rf "$root"
    fi
    log "importing the base image $base ($suite, PostgreSQL $major)"
    docker import -c "ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" "$tarball" "$base" >/dev/null
done

# --- GoTrue -------------------------------------------------------------------------------
gotrue="$cache/gotrue-$gotrue_key"
if [ ! -x "$gotrue" ]; then
    log "building GoTrue from the supabase/auth Go module"
    (cd "$repo/toolchain/go/gotrue" && CGO_ENABLED=0 GOFLAGS="-trimpath -mod=readonly" GOTOOLCHAIN=local \
        go build -ldflags "-s -w -X github.com/supabase/auth/internal/utilities.Version=$(go list -m -f '{{.Version}}' github.com/supabase/auth)" \
        -o "$gotrue.part" github.com/supabase/auth) && mv "$gotrue.part" "$gotrue"
fi

# --- the images -----------------------------------------------------------------------------
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp -R "$kit/standin" "$kit/db" "$context/"
cp "$gotrue" "$context/auth"
cp "$envoy_check" "$context/envoy-check"
count=0
while IFS= read -r entry; do
    image="$(node -e 'console.log(JSON.parse(process.argv[1]).image)' "$entry")"
    major="$(node -e 'console.log(JSON.parse(process.argv[1]).postgresMajor ?? 15)' "$entry")"
    dockerfile="$(node "$kit/dockerfile.mjs" "$(base_of "$major")" "$label=$key" "$entry")"
    if ! printf '%s\n' "$dockerfile" | docker build -q -t "$image" -f - "$context" >"$cache/build.log" 2>&1; then
        cat "$cache/build.log" >&2
        exit 1
    fi
    count=$((count + 1))
done < <(node -e 'for (const e of JSON.parse(process.argv[1])) console.log(JSON.stringify(e))' "$plan")
log "built $count images (key $key) in $((SECONDS - started)) s"
edge_proxy
