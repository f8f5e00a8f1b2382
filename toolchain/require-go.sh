# Sourced by the scripts that build from Go modules (toolchain/build.sh, test/e2e/images/build.sh) with
# their log prefix as $1: Go on PATH, else where the official tarball puts it, else one line saying what to do.
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null 2>&1; then
    printf '%s: Go is not installed: install Go 1.26 (https://go.dev/dl/, into /usr/local/go); with internet, the official Pulumi CLI and Docker Hub need neither this build nor Go (README, Prerequisites)\n' "$1" >&2
    exit 1
fi
