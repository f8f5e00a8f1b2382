#!/usr/bin/env bash
# Builds the real Pulumi engine from Go modules (`npm run toolchain`): the CLI, the Node.js language
# host and the docker, random and command resource plugins, with no download host. The binaries live
# outside the clone in $SUPABASE_FLEET_CACHE (default ~/.cache/supabase-fleet), keyed by a hash of
# everything they are built from, so a warm run reuses them in seconds. Prints the build folder; stacks/engine/toolchain.ts says how
# every project command runs it (PATH, PULUMI_HOME, offline switches).
set -euo pipefail
# Help before any work (go, the cache).
for arg in "$@"; do case "$arg" in -h|--help)
    printf 'usage: npm run toolchain\n'; sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac; done
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../toolchain/require-go.sh
source "$here/require-go.sh" toolchain
# shellcheck source=versions.env
source "$here/versions.env"

cache="${SUPABASE_FLEET_CACHE:-$HOME/.cache/supabase-fleet}"
key="$( (go version; cd "$here" && find build.sh versions.env go/pulumi-cli go/language-nodejs go/docker-provider go/random-provider go/command-plugin -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16)"
out="$cache/toolchain/$key"
log() { printf 'toolchain: %s\n' "$*" >&2; }

if [ -f "$out/.complete" ]; then
    log "reusing $out"
    ln -sfn "$out" "$cache/toolchain/current"
    echo "$out"
    exit 0
fi

export CGO_ENABLED=0 GOFLAGS="-trimpath -mod=readonly" GOTOOLCHAIN=local
work="$out.work"
rm -rf "$out" "$work"
mkdir -p "$work" "$out/bin" "$out/plugins" "$out/home"
started=$SECONDS
phase() { log "$1 ($((SECONDS - started)) s so far)"; }

# Builds package $2 of wrapper module $1 into $3 with extra go build flags.
gobuild() {
    local module="$1" package="$2" dest="$3"; shift 3
    (cd "$module" && go build "$@" -o "$dest" "$package")
}

phase "pulumi CLI v$PULUMI_VERSION"
gobuild "$here/go/pulumi-cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$out/bin/" \
    -tags osusergo,grpcnotrace -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"

phase "Node.js language host"
# Next to the CLI, where the engine looks for its bundled language hosts.
gobuild "$here/go/language-nodejs" github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 "$out/bin/" -ldflags "-s -w"

# A bridged provider: build its tfgen, let it write schema.json and bridge-metadata.json into a copy
# of the module, then build the plugin that embeds them.
bridged() {
    local name="$1" version="$2" copy="$work/$1"
    cp -R "$here/go/$name-provider" "$copy"
    local stamp="-X supabase-fleet/toolchain/$name-provider/providerinfo.Version=$version"
    gobuild "$copy" "./cmd/pulumi-tfgen-$name" "$work/" -ldflags "-s -w $stamp"
    (cd "$copy" && "$work/pulumi-tfgen-$name" schema --out "cmd/pulumi-resource-$name" >"$work/tfgen-$name.log" 2>&1) ||
        { tail -20 "$work/tfgen-$name.log" >&2; exit 1; }
    gobuild "$copy" "./cmd/pulumi-resource-$name" "$out/plugins/" -ldflags "-s -w $stamp"
}
phase "docker plugin v$DOCKER_PLUGIN_VERSION"
bridged docker "$DOCKER_PLUGIN_VERSION"
phase "random plugin v$RANDOM_PLUGIN_VERSION"
bridged random "$RANDOM_PLUGIN_VERSION"
phase "command plugin v$COMMAND_PLUGIN_VERSION"
gobuild "$here/go/command-plugin" . "$out/plugins/pulumi-resource-command" \
    -ldflags "-s -w -X main.version=$COMMAND_PLUGIN_VERSION"

phase "installing plugins"
export PULUMI_HOME="$out/home" PULUMI_SKIP_UPDATE_CHECK=true
for plugin in "docker $DOCKER_PLUGIN_VERSION" "random $RANDOM_PLUGIN_VERSION" "command $COMMAND_PLUGIN_VERSION"; do
    set -- $plugin
    "$out/bin/pulumi" plugin install resource "$1" "v$2" --file "$out/plugins/pulumi-resource-$1" --reinstall >&2
done

rm -rf "$work"
touch "$out/.complete"
ln -sfn "$out" "$cache/toolchain/current"
phase "done: $out"
echo "$out"
