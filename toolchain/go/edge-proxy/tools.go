//go:build tools

// Package tools pins the edge proxy of a Docker host: Caddy, built from its Go module with its
// standard modules (cmd/caddy). The end-to-end suite puts the binary in a local image under the
// pinned name of components/hostServices/catalog.ts, so the tests run the proxy tenants run.
package tools

import _ "github.com/caddyserver/caddy/v2/cmd/caddy"
