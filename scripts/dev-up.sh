#!/usr/bin/env bash
# `npm run dev:up -- [--yes] [--stack <name>]`: builds the program, then runs `pulumi up` on the dev
# stack (Pulumi.dev.yaml) with the project's backend: a local state folder in .pulumi-state/ and a
# passphrase generated once into .pulumi-state/passphrase (back it up: the state's secrets need it).
# Extra arguments go to `pulumi up`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Help before any work (npm ci, the CLI check), wherever the flag is.
for arg in "$@"; do case "$arg" in -h|--help)
    sed -n '2,5s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac; done

[ -d node_modules ] || npm ci --no-audit --no-fund
pulumi() { node --import tsx scripts/pulumi.ts "$@"; }
pulumi --which >/dev/null   # no CLI: say so before anything else (`pulumi up` below builds the program)

stack=dev
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --stack|-s) stack="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done

pulumi stack select "$stack" --create --secrets-provider passphrase --non-interactive >/dev/null
pulumi up --stack "$stack" --non-interactive ${args[@]+"${args[@]}"}
