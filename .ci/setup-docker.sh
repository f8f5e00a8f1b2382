#!/usr/bin/env bash
# Makes a Docker engine answer on this machine (Debian 12, root, no systemd, possibly inside a
# container-like sandbox). Idempotent: installs only what is missing, starts dockerd only when no
# daemon answers. Prints one line saying what it did; exits non-zero when no engine could be started.
set -uo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/tmp/supabase-fleet-dockerd.log}"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"
did=()

# One line: "setup-docker: a; b; c".
summary() { local IFS=';'; echo "setup-docker: ${did[*]}" | sed 's/;/; /g'; }

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

if ! command -v apt-get >/dev/null 2>&1 && ! command -v dockerd >/dev/null 2>&1; then
    echo "setup-docker: no apt-get and no dockerd on this machine; install Docker by hand" >&2
    exit 1
fi

# --- packages -------------------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
# The tcp:// host tests make their CA and certificates with it.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The moves between hosts run a second daemon in a network namespace of its own (ip netns).
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
# The ssh:// host tests run sshd in that namespace, and the fleet scans host keys with ssh-keyscan.
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh-keyscan >/dev/null 2>&1 || missing+=(openssh-client)
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    # No service starts on install (openssh-server would start an sshd on this machine's port 22).
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && trap 'rm -f "$policy"' EXIT; fi
    # Install straight away when the package lists are present; refresh them only when needed.
    if ! apt-get install -y -qq "${missing[@]}" >/tmp/supabase-fleet-apt.log 2>&1; then
        apt-get update -qq >>/tmp/supabase-fleet-apt.log 2>&1
        if ! apt-get install -y -qq "${missing[@]}" >>/tmp/supabase-fleet-apt.log 2>&1; then
            echo "setup-docker: apt-get install ${missing[*]} failed; see /tmp/supabase-fleet-apt.log" >&2
            exit 1
        fi
        did+=("apt-get update")
    fi
    did+=("installed ${missing[*]}")
fi

# --- engine ---------------------------------------------------------------------------------
if engine_answers; then
    did+=("docker engine already answering")
    summary
    exit 0
fi

# How long dockerd must have run for its exit to count as a crash to restart from, not a failed start.
CRASH_AFTER_SECONDS=30

# Runs dockerd with the given flags, and again whenever it dies after having run a while: Debian's
# 20.10 daemon can panic under load (moby/moby#45804, a health-check exec that times out), and with
# --live-restore the tenants' containers keep running meanwhile. A daemon that fails to start is not
# restarted, so the next fallback below gets its turn.
supervise_dockerd() {
    local restarts=0
    while :; do
        local began=$SECONDS
        dockerd "$@"
        local code=$?
        # A first run that ends quickly is a failed start. After a crash the next start may fail too,
        # while the old containerd is still going away: try again, a bounded number of times.
        if [ $((SECONDS - began)) -ge "$CRASH_AFTER_SECONDS" ]; then restarts=0
        elif [ "$restarts" -eq 0 ] || [ "$restarts" -ge 10 ]; then return "$code"; fi
        restarts=$((restarts + 1))
        echo "=== $(date -u +%FT%TZ) dockerd exited with code $code after $((SECONDS - began)) s; starting it again ($restarts)"
        rm -f /var/run/docker.pid
        sleep 2
    done
}

export -f supervise_dockerd
export CRASH_AFTER_SECONDS

# Starts dockerd (supervised) with the given extra flags; returns 0 once `docker info` answers.
try_dockerd() {
    local label="$1"; shift
    echo "=== $(date -u +%FT%TZ) dockerd $* ($label)" >>"$DOCKERD_LOG"
    # setsid: the daemon must outlive this script and the shell that ran it.
    setsid bash -c 'supervise_dockerd "$@"' supervise --live-restore "$@" >>"$DOCKERD_LOG" 2>&1 </dev/null &
    local pid=$!
    local waited=0
    while [ "$waited" -lt "$WAIT_SECONDS" ]; do
        if engine_answers; then
            echo "$pid" >/tmp/supabase-fleet-dockerd.pid
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1 # daemon exited: try the next fallback
        sleep 1
        waited=$((waited + 1))
    done
    pkill -P "$pid" dockerd 2>/dev/null
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 1
}

# A previous daemon that died leaves its pid file behind and refuses to start again.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
fi

# Plain first; sandboxes often lack overlayfs and/or iptables, so fall back step by step.
attempts=(
    "default|"
    "vfs storage|--storage-driver=vfs"
    "no iptables|--iptables=false --ip6tables=false"
    "vfs storage, no iptables|--storage-driver=vfs --iptables=false --ip6tables=false"
    "vfs storage, no iptables, no bridge|--storage-driver=vfs --iptables=false --ip6tables=false --bridge=none"
)
for attempt in "${attempts[@]}"; do
    label="${attempt%%|*}"
    # shellcheck disable=SC2206 # the flags are meant to split on spaces
    flags=(${attempt#*|})
    if try_dockerd "$label" "${flags[@]}"; then
        did+=("started dockerd (${label}${flags:+: ${flags[*]}}), log $DOCKERD_LOG")
        summary
        exit 0
    fi
done

echo "setup-docker: dockerd did not answer within ${WAIT_SECONDS}s with any flag set; see $DOCKERD_LOG" >&2
tail -n 20 "$DOCKERD_LOG" >&2
exit 1
