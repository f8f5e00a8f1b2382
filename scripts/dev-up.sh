#!/usr/bin/env bash
# Runs `pulumi up` on the dev stack with the embedded defaults: a local state backend in
# .pulumi-state/, a passphrase secrets provider whose passphrase is generated once into
# .pulumi-state/passphrase (never committed), and the local Docker daemon (Pulumi.dev.yaml).
# Extra arguments go to `pulumi up` (for example --yes, or --stack <other>).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pulumi >/dev/null 2>&1; then
    echo "The Pulumi CLI is not installed. Install it with the official installer:" >&2
    echo "  curl -fsSL https://get.pulumi.com | sh    # then open a new shell" >&2
    exit 1
fi

[ -d node_modules ] || npm ci
npm run --silent build

state_dir="$PWD/.pulumi-state"
mkdir -p "$state_dir"
chmod 700 "$state_dir"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$state_dir}"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    passphrase_file="$state_dir/passphrase"
    if [ ! -s "$passphrase_file" ]; then
        (umask 077 && head -c 32 /dev/urandom | base64 > "$passphrase_file")
        echo "Generated the local secrets passphrase in $passphrase_file: back it up, state secrets need it."
    fi
    export PULUMI_CONFIG_PASSPHRASE_FILE="$passphrase_file"
fi

stack=dev
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --stack|-s) stack="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done

pulumi stack select "$stack" --create --secrets-provider passphrase --non-interactive >/dev/null
exec pulumi up --stack "$stack" "${args[@]}"
