#!/usr/bin/env bash
# Builds the local images of the end-to-end suite under the pinned names of components/catalog.ts
# (`npm run images`), so that RemoteImage finds them and never pulls. No registry is used:
#   - a Debian 12 root file system from debootstrap (PostgreSQL 15, curl, wget, this machine's node),
#     imported once as the base image;
#   - db: that base with an entrypoint that does what the supabase/postgres image does (db/);
#   - auth: the real GoTrue, built from the supabase/auth Go module (toolchain/go/gotrue);
#   - every other service: the stand-in of standin/, with the spec standins.ts derives for it.
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

full_plan="$(cd "$repo" && node --import tsx "$kit/standins.ts")"
# The base below is Debian 12 with PostgreSQL 15: a db image of another major (release 0.8.2's
# Postgres 17) needs a Debian trixie base with postgresql-17 and is not built yet.
node -e 'for (const e of JSON.parse(process.argv[1])) if (e.kind === "db" && e.postgresMajor !== 15) console.error(`images: skipping ${e.image}: needs a Debian trixie base with postgresql-${e.postgresMajor}`)' "$full_plan"
plan="$(node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).filter((e) => e.kind !== "db" || e.postgresMajor === 15)))' "$full_plan")"
packages="postgresql-15,postgresql-client-15,curl,wget,busybox,ca-certificates,libstdc++6,procps"
rootfs_key="$( (echo "$packages"; sha256sum "$(command -v node)") | sha256sum | cut -c1-12)"
gotrue_key="$( (go version; cat "$repo/toolchain/go/gotrue/go.mod" "$repo/toolchain/go/gotrue/go.sum") | sha256sum | cut -c1-12)"
key="$( (echo "$rootfs_key $gotrue_key $plan"; cd "$kit" && find . -type f ! -name '*.md' | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16)"
label="supabase-fleet.test-image-key"

# All images already built from these inputs: nothing to do.
wanted="$(node -e 'console.log(JSON.parse(process.argv[1]).map((e) => e.image).join("\n"))' "$plan")"
have="$(docker images --filter "label=$label=$key" --format '{{.Repository}}:{{.Tag}}' | LC_ALL=C sort)"
if [ "$have" = "$(echo "$wanted" | LC_ALL=C sort)" ]; then
    log "all $(echo "$wanted" | wc -l) images are current (key $key)"
    exit 0
fi

# --- base root file system ------------------------------------------------------------------
base="supabase-fleet-test/base:$rootfs_key"
if ! docker image inspect "$base" >/dev/null 2>&1; then
    tarball="$cache/rootfs-$rootfs_key.tar"
    if [ ! -s "$tarball" ]; then
        command -v debootstrap >/dev/null || { apt-get install -y -qq debootstrap >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq debootstrap; }; }
        root="$cache/rootfs-$rootfs_key.d"
        rm -rf "$root"
        log "debootstrap bookworm with $packages (a few minutes, once)"
        debootstrap --variant=minbase --include="$packages" bookworm "$root" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
            { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
        # Debian's packaging starts a default cluster: the images make their own.
        rm -rf "$root/var/lib/postgresql/15" "$root/etc/postgresql/15" "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*
        install -m 0755 "$(command -v node)" "$root/usr/local/bin/node"
        tar -C "$root" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
        rm -rf "$root"
    fi
    log "importing the base image $base"
    docker import -c "ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" "$tarball" "$base" >/dev/null
fi

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
count=0
while IFS= read -r entry; do
    image="$(node -e 'console.log(JSON.parse(process.argv[1]).image)' "$entry")"
    dockerfile="$(node "$kit/dockerfile.mjs" "$base" "$label=$key" "$entry")"
    if ! printf '%s\n' "$dockerfile" | docker build -q -t "$image" -f - "$context" >"$cache/build.log" 2>&1; then
        cat "$cache/build.log" >&2
        exit 1
    fi
    count=$((count + 1))
done < <(node -e 'for (const e of JSON.parse(process.argv[1])) console.log(JSON.stringify(e))' "$plan")
log "built $count images (key $key) in $((SECONDS - started)) s"
