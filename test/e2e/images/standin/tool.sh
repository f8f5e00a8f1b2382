#!/bin/sh
# The commands the component's health checks and start commands call in the real images (kong health,
# imgproxy health, postgrest --ready, supavisor's migrate/eval, vector/edge-runtime as entrypoints).
# Installed under each of those names: a check probes the stand-in's first port, anything else starts it.
name="$(basename "$0")"
case "$name:$*" in
    kong:health | imgproxy:health | postgrest:--ready)
        exec curl -sf -o /dev/null "http://127.0.0.1:${STANDIN_FIRST_PORT}/" ;;
    envoy:-c\ *)
        # What the real Envoy does first: load the config, or refuse to start.
        /opt/standin/envoy-check --root / "$2" || exit 1
        exec node /opt/standin/server.mjs ;;
    migrate:* | supavisor:eval*)
        echo "$name stand-in: nothing to do"; exit 0 ;;
esac
exec node /opt/standin/server.mjs "$@"
