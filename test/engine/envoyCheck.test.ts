import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { envoyCheckBinary, runEnvoyCheck } from "../support/envoyCheck.js";

// Throws under CI=true when the binary is missing, failing this file instead of skipping it.
const binary = envoyCheckBinary();

// A hand-written config in the shape the renderer writes: a bootstrap that reads CDS and LDS from
// files under /etc/envoy, each file a DiscoveryResponse-style list of typed resources.
const BOOTSTRAP = `
node: { id: gateway, cluster: supabase }
dynamic_resources:
  cds_config: { resource_api_version: V3, path_config_source: { path: /etc/envoy/cds.yaml } }
  lds_config: { resource_api_version: V3, path_config_source: { path: /etc/envoy/lds.yaml } }
`;

const CDS = `
resources:
  - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
    name: auth
    type: STRICT_DNS
    connect_timeout: 5s
    load_assignment:
      cluster_name: auth
      endpoints:
        - lb_endpoints:
            - endpoint: { address: { socket_address: { address: auth, port_value: 9999 } } }
    health_checks:
      - timeout: 2s
        interval: 5s
        unhealthy_threshold: 3
        healthy_threshold: 1
        http_health_check: { path: /health }
`;

const LDS = `
resources:
  - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
    name: http
    address: { socket_address: { address: 0.0.0.0, port_value: 8000 } }
    filter_chains:
      - filters:
          - name: envoy.filters.network.http_connection_manager
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
              stat_prefix: ingress
              route_config:
                name: local
                virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                      - match: { prefix: /auth/v1/ }
                        route: { cluster: auth, prefix_rewrite: / }
              http_filters:
                - name: envoy.filters.http.lua
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
                    default_source_code:
                      inline_string: |
                        function envoy_on_request(handle) end
                - name: envoy.filters.http.rbac
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
                    rules:
                      action: DENY
                      policies:
                        no-admin:
                          permissions: [{ url_path: { path: { prefix: /admin } } }]
                          principals: [{ any: true }]
                - name: envoy.filters.http.cors
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors }
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
`;

/** Writes the config into a fresh root (with one text edit to cds.yaml or lds.yaml) and checks it. */
function check(edit: { cds?: [string, string]; lds?: [string, string] } = {}): { ok: boolean; output: string } {
    const root = mkdtempSync(join(tmpdir(), "envoy-check-"));
    const dir = join(root, "etc", "envoy");
    mkdirSync(dir, { recursive: true });
    const apply = (text: string, change?: [string, string]) => {
        if (!change) return text;
        if (!text.includes(change[0])) throw new Error(`the fixture has no ${JSON.stringify(change[0])}`);
        return text.replace(change[0], change[1]);
    };
    writeFileSync(join(dir, "envoy.yaml"), BOOTSTRAP);
    writeFileSync(join(dir, "cds.yaml"), apply(CDS, edit.cds));
    writeFileSync(join(dir, "lds.yaml"), apply(LDS, edit.lds));
    return runEnvoyCheck(root, join(dir, "envoy.yaml"));
}

// Skipped where the binary was not built (outside CI only; see above).
const withBinary = it.skipIf(binary === undefined);

describe(`envoy-check${binary ? "" : " (skipped: run `npm run envoy-check` to build it)"}`, () => {
    withBinary("passes a valid bootstrap with file-based CDS and LDS", () => {
        const result = check();
        expect(result.output).toBe("envoy-check: ok (1 clusters, 1 listeners, 1 routes)");
        expect(result.ok).toBe(true);
    });

    withBinary("fails a misspelled field, naming the file and the field", () => {
        const result = check({ cds: ["connect_timeout:", "conect_timeout:"] });
        expect(result.ok).toBe(false);
        expect(result.output).toContain('/etc/envoy/cds.yaml: resources[0].conect_timeout: unknown field "conect_timeout"');
    });

    withBinary("fails a route to a cluster that no file defines", () => {
        const result = check({ lds: ["cluster: auth,", "cluster: rest,"] });
        expect(result.ok).toBe(false);
        expect(result.output).toContain('routes[0].route.cluster: unknown cluster "rest"');
    });

    withBinary("fails a typed_config whose @type it cannot resolve", () => {
        const result = check({ lds: ["cors.v3.Cors", "cors.v3.Corz"] });
        expect(result.ok).toBe(false);
        expect(result.output).toContain("/etc/envoy/lds.yaml: resources[0].filter_chains[0].filters[0].typed_config.http_filters[2].typed_config");
        expect(result.output).toContain('unable to resolve "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Corz"');
    });

    withBinary("fails values the validate rules forbid: an empty cluster name, a negative connect_timeout", () => {
        expect(check({ cds: ["name: auth\n", 'name: ""\n'] }).output).toContain("/etc/envoy/cds.yaml: resources[0].name: value length must be at least 1 runes");
        const negative = check({ cds: ["connect_timeout: 5s", "connect_timeout: -1s"] });
        expect(negative.ok).toBe(false);
        expect(negative.output).toContain("/etc/envoy/cds.yaml: resources[0].connect_timeout: value must be greater than 0s");
    });

    withBinary("applies the validate rules inside a typed_config too", () => {
        const result = check({ lds: ["stat_prefix: ingress", 'stat_prefix: ""'] });
        expect(result.ok).toBe(false);
        expect(result.output).toContain("resources[0].filter_chains[0].filters[0].typed_config.stat_prefix: value length must be at least 1 runes");
    });
});
