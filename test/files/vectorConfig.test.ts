import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SERVICE_NAMES } from "../../components/catalog.js";
import { LOG_SOURCES, VECTOR_CONFIG_PATH } from "../../components/files/index.js";
import { LOG_SOCKET_PATH_IN_VECTOR, REALTIME_HEALTH_LINE, renderVectorConfig } from "../../components/files/vectorConfig.js";
import { containerName } from "../../components/names.js";
import { REALTIME_TENANT_ID } from "../../components/services/realtime.js";
import { containerNamesOf, render } from "./fixtures.js";

// Refs chosen to collide with "acme" by prefix or suffix, in names and in label values.
const OTHER_TENANTS = ["acme-2", "acm", "acme2", "acme-kong", "xacme"];

const config = parse(render("acme", true).vectorConfig!.content);

/** The routes' conditions, each checked to be exactly `.appname == "<name>"` and evaluated as such. */
function routesMatching(appname: string): string[] {
    return Object.entries(config.transforms.by_service.route as Record<string, string>)
        .filter(([, condition]) => {
            const match = /^\.appname == "([a-z0-9-]+)"$/.exec(condition);
            if (!match) throw new Error(`route condition is not an exact name comparison: ${condition}`);
            return match[1] === appname;
        })
        .map(([route]) => route);
}

describe("Vector config", () => {
    it("drops realtime's own health-check requests before they reach analytics, and no other line", () => {
        const source = config.transforms.realtime_logs.source as string;
        expect(source.split("\n")[0]).toBe(`if match(string(.event_message) ?? "", r'${REALTIME_HEALTH_LINE}') { abort }`);
        expect(config.transforms.realtime_logs.drop_on_abort).toBeUndefined(); // Vector's default: aborted events are dropped
        // The pattern as Rust's regex reads it (the same syntax as JavaScript's for these classes).
        const health = new RegExp(REALTIME_HEALTH_LINE);
        for (const line of ["HEAD /api/tenants/realtime-dev/health", "12:00:01.123 [info] GET /api/tenants/realtime-dev/health"]) expect(health.test(line), line).toBe(true);
        for (const line of ["GET /api/tenants/realtime-dev/healthy", "12:00:01.123 [info] Subscribed to PostgreSQL", "POST /api/broadcast", "GET /api/health"]) expect(health.test(line), line).toBe(false);
        // The path realtime's health check requests (services/realtime.ts).
        expect(health.test(`HEAD /api/tenants/${REALTIME_TENANT_ID}/health`)).toBe(true);
    });

    it("exists only with analytics, at /etc/vector/vector.yml", () => {
        expect(render("acme", true).vectorConfig?.path).toBe(VECTOR_CONFIG_PATH);
        expect(VECTOR_CONFIG_PATH).toBe("/etc/vector/vector.yml");
        expect(render("acme", false).vectorConfig).toBeUndefined();
    });

    it("serves its API on 0.0.0.0:9001 for the health check", () => {
        expect(config.api).toStrictEqual({ enabled: true, address: "0.0.0.0:9001" });
    });

    it("takes logs on a unix socket of its own (the daemon's fluentd driver), never from the Docker API", () => {
        expect(config.sources).toStrictEqual({
            tenant_containers: { type: "fluent", mode: "unix", path: "/var/run/supabase-fleet-logs/fluent.sock", socket_file_mode: 0o600 },
        });
        expect(LOG_SOCKET_PATH_IN_VECTOR).toBe(config.sources.tenant_containers.path);
        expect(JSON.stringify(config)).not.toMatch(/docker_logs|docker\.sock/);
        // The daemon's container name comes with a leading slash; the shape takes it off before routing.
        expect(config.transforms.tenant_logs.source).toContain(`.appname = replace(string!(del(.container_name)), r'^/', "")`);
        expect(config.transforms.tenant_logs.source).toContain(".event_message = del(.log)");
    });

    it("routes by this tenant's exact container names; another tenant's names match no route", () => {
        const loggedServices = Object.keys(LOG_SOURCES).sort();
        expect(Object.keys(config.transforms.by_service.route).sort()).toEqual(loggedServices);
        for (const service of SERVICE_NAMES) {
            expect(routesMatching(`acme-${service}`), service).toEqual(loggedServices.includes(service) ? [service] : []);
            for (const other of OTHER_TENANTS) expect(routesMatching(containerName(other, service)), `${other}/${service}`).toEqual([]);
        }
        // Upstream's fixed names must not match either.
        for (const name of ["supabase-kong", "supabase-db", "supabase-edge-functions"]) expect(routesMatching(name)).toEqual([]);
    });

    it("routes by the container names it is given, not by names it derives", () => {
        const names = { ...containerNamesOf("acme"), kong: "acme-gateway-custom" };
        const custom = parse(renderVectorConfig({ ref: "acme", containerNames: names }));
        expect(custom.transforms.by_service.route.kong).toBe('.appname == "acme-gateway-custom"');
        expect(() => renderVectorConfig({ ref: "acme", containerNames: { ...names, db: 'acme-db" || true' } })).toThrow(/not a DNS-label name/);
    });

    it("sends each service's logs to its Logflare source with the token from the environment", () => {
        const expectedSources: Record<string, { inputs: string[]; source: string }> = {
            auth: { inputs: ["auth_logs"], source: "gotrue.logs.prod" },
            db: { inputs: ["db_logs"], source: "postgres.logs" },
            functions: { inputs: ["functions_logs"], source: "deno-relay-logs" },
            kong: { inputs: ["kong_access_logs", "kong_error_logs"], source: "cloudflare.logs.prod" },
            realtime: { inputs: ["realtime_logs"], source: "realtime.logs.prod" },
            rest: { inputs: ["rest_logs"], source: "postgREST.logs.prod" },
            storage: { inputs: ["storage_logs"], source: "storage.logs.prod.2" },
        };
        expect(Object.keys(config.sinks).sort()).toEqual(Object.keys(expectedSources).map((s) => `analytics_${s}`));
        for (const [service, expected] of Object.entries(expectedSources)) {
            expect(config.sinks[`analytics_${service}`]).toStrictEqual({
                type: "http",
                inputs: expected.inputs,
                encoding: { codec: "json" },
                method: "post",
                request: { retry_max_duration_secs: 10, headers: { "x-api-key": "${LOGFLARE_PUBLIC_ACCESS_TOKEN?LOGFLARE_PUBLIC_ACCESS_TOKEN is required}" } },
                uri: `http://analytics:4000/api/logs?source_name=${expected.source}`,
            });
            for (const input of expected.inputs) expect(config.transforms[input].inputs).toEqual([`by_service.${service}`]);
        }
        expect(config.transforms.tenant_logs.inputs).toEqual(["tenant_containers"]);
        expect(config.transforms.by_service.inputs).toEqual(["tenant_logs"]);
    });

    it("holds no other `$`, so Vector's interpolation of the config text changes nothing else", () => {
        const text = render("acme", true).vectorConfig!.content;
        expect(text.match(/\$/g)).toHaveLength(Object.keys(LOG_SOURCES).length);
    });
});

describe("Vector config: the gateway's access log", () => {
    it("takes method, path and protocol from the request line, since parse_nginx_log's combined format gives it whole", () => {
        for (const release of ["feb-2026", "0.8.2"] as const) {
            const source = parse(render("acme", true, release).vectorConfig!.content).transforms.kong_access_logs.source as string;
            // Fields parse_nginx_log does not return: reading them gave null.
            expect(source).not.toMatch(/(?<![.\w])request\.(method|path|protocol)\b/);
            expect(source).toContain('parts, err = split(request.request, " ")');
            for (const [index, field] of ["method", "path", "protocol"].entries()) expect(source).toContain(`.metadata.request.${field} = parts[${index}]`);
        }
    });
});
