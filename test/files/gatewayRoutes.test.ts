/**
 * Every request path against each gateway's rendered config, for every release and every gateway the
 * release has (test/files/gatewayModels.ts): who gets through to which upstream, and that Kong and
 * Envoy, rendered from one route table, answer every request alike.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REALTIME_DENIED_PATHS, STUDIO_MCP_DENIED_PATHS, gatewayRoutes } from "../../components/gateway/routes.js";
import { ENVOY_CONFIG, renderEnvoyFiles } from "../../components/gateway/envoyConfig.js";
import { envoyCheckBinary, runEnvoyCheck } from "../support/envoyCheck.js";
import { RELEASES, RELEASE_NAMES, type GatewayName, type ReleaseName } from "../../components/releases.js";
import { CALLERS, ENVOY_ENV, TEST_KEYS, envoyGatewayOf, envoyRequest, expandedEnvoyListener, expandedEnvoyListenerText, kongRequest, kongServicesOf, type Caller, type Outcome } from "./gatewayModels.js";

const missingLua = spawnSync("luajit", ["-v"]).status === 0 ? null : "luajit is not installed (bash .ci/setup-luajit.sh)";
if (missingLua && process.env.CI === "true") throw new Error(`CI=true but ${missingLua}`);

interface Variant {
    readonly release: ReleaseName;
    readonly gateway: GatewayName;
    readonly analytics: boolean;
}
/** Every gateway of every release, with analytics on and off. */
const VARIANTS: Variant[] = RELEASE_NAMES.flatMap((release) =>
    (RELEASES[release].envoyImage ? (["kong", "envoy"] as const) : (["kong"] as const)).flatMap((gateway) => [true, false].map((analytics) => ({ release, gateway, analytics }))),
);
const label = ({ release, gateway, analytics }: Variant) => `${release} ${gateway}, analytics ${analytics ? "on" : "off"}`;

/** A request function for one variant's rendered config. */
function gatewayOf(variant: Variant): (path: string, caller: Caller) => Outcome {
    if (variant.gateway === "kong") {
        const services = kongServicesOf(variant.release, variant.analytics);
        return (path, caller) => kongRequest(services, path, caller, variant.release);
    }
    const gateway = envoyGatewayOf(variant.release, variant.analytics);
    return (path, caller) => {
        const { headers: _, ...outcome } = envoyRequest(gateway, path, caller) as Outcome & { headers?: unknown };
        return outcome as Outcome;
    };
}

describe.skipIf(missingLua !== null)("denied in every release and gateway, whoever asks", () => {
    const deniedPaths = [...REALTIME_DENIED_PATHS, ...STUDIO_MCP_DENIED_PATHS, "/realtime/v1/api/tenants/realtime-dev", "/realtime/v1/api/tenants/realtime-dev/health", "/api/mcp/sse", "/mcp/"];
    for (const variant of VARIANTS) {
        it(`${label(variant)}: realtime's tenant API and Studio's MCP endpoint answer 403`, () => {
            const request = gatewayOf(variant);
            for (const path of deniedPaths) for (const caller of CALLERS) expect(request(path, caller), `${caller} ${path}`).toEqual({ status: 403 });
        });
    }
    it("lists exactly upstream's denied paths", () => {
        expect([...REALTIME_DENIED_PATHS, ...STUDIO_MCP_DENIED_PATHS]).toEqual(["/realtime/v1/api/tenants", "/realtime/v1/api/openapi", "/api/mcp", "/mcp"]);
    });
});

describe.skipIf(missingLua !== null)("what stays reachable next to the denied routes", () => {
    for (const variant of VARIANTS) {
        it(`${label(variant)}: realtime's API with a key; Studio with the dashboard login only; meta and the OpenAPI root with the service key only`, () => {
            const request = gatewayOf(variant);
            expect(request("/realtime/v1/api/broadcast", "anon")).toEqual({ status: "proxied", service: "realtime-v1-rest", upstream: "http://realtime-dev.supabase-realtime:4000/api/broadcast" });
            expect(request("/realtime/v1/api/broadcast", "nobody")).toEqual({ status: 401 });
            expect(request("/realtime/v1/api/broadcast", "stranger")).toEqual({ status: 401 });
            expect(request("/project/default", "dashboard")).toMatchObject({ status: "proxied", service: "dashboard" });
            for (const caller of ["nobody", "anon", "service_role"] as const) expect(request("/project/default", caller)).toEqual({ status: 401 });
            expect(request("/pg/tables", "anon")).toEqual({ status: 403 });
            expect(request("/pg/tables", "service_role")).toMatchObject({ status: "proxied", service: "meta", upstream: "http://meta:8080/tables" });
            expect(request("/rest/v1/todos", "nobody")).toEqual({ status: 401 });
            expect(request("/rest/v1/todos", "anon")).toMatchObject({ status: "proxied", upstream: "http://rest:3000/todos" });
            expect(request("/rest/v1/", "anon")).toEqual({ status: 403 });
            expect(request("/rest/v1/", "nobody")).toEqual({ status: 401 });
            expect(request("/rest/v1/", "service_role")).toEqual({ status: "proxied", service: "rest-v1-openapi", upstream: "http://rest:3000/" });
            expect(request("/rest/v1/rpc/hello", "anon")).toMatchObject({ status: "proxied", service: "rest-v1", upstream: "http://rest:3000/rpc/hello" });
            expect(request("/auth/v1/verify", "nobody")).toMatchObject({ status: "proxied", upstream: "http://auth:9999/verify" });
            expect(request("/storage/v1/object/public/a.png", "nobody")).toMatchObject({ status: "proxied", upstream: "http://storage:5000/object/public/a.png" });
            expect(request("/functions/v1/hello", "nobody")).toMatchObject({ status: "proxied", upstream: "http://functions:9000/hello" });
            expect(request("/graphql/v1", "anon")).toMatchObject({ status: "proxied", upstream: "http://rest:3000/rpc/graphql" });
        });
    }
});

describe.skipIf(missingLua !== null)("Kong and Envoy answer every request alike", () => {
    /**
     * Every route's paths, a path below each, and paths next to them. A route's own path and one that
     * runs on past it without a slash (`/auth/v1/verifyx`) are compared by status and route only: how
     * an empty or slash-less rest joins the upstream's path is real Kong's path handling, which the
     * model only guesses (`/realtime/v1/` gives Envoy `/socket/`, as upstream's Envoy config has it).
     */
    const paths = (release: ReleaseName, analytics: boolean) => [
        ...new Set(
            gatewayRoutes({ release: RELEASES[release], analyticsEnabled: analytics }).flatMap((route) => {
                const bases = route.match.exact !== undefined ? [route.match.exact] : route.match.prefixes!;
                return bases.flatMap((base) => [base, `${base}x`, `${base.replace(/\/$/, "")}/child/path`, base.replace(/\/$/, "")]);
            }),
        ),
        "/",
        "/unknown",
        "/rest/v2/",
        "/realtime/v1/websocket",
    ];
    for (const release of RELEASE_NAMES.filter((name) => RELEASES[name].envoyImage)) {
        for (const analytics of [true, false]) {
            it(`${release}, analytics ${analytics ? "on" : "off"}: same status, route and upstream URL for every path and caller`, () => {
                const kong = gatewayOf({ release, gateway: "kong", analytics });
                const envoy = gatewayOf({ release, gateway: "envoy", analytics });
                const all = paths(release, analytics);
                expect(all.length).toBeGreaterThan(60);
                const runOn = new Set(gatewayRoutes({ release: RELEASES[release], analyticsEnabled: analytics }).flatMap((route) => (route.match.prefixes ?? [route.match.exact!]).flatMap((base) => [base, `${base}x`])));
                const comparable = (outcome: Outcome, path: string) => (runOn.has(path) && outcome.status === "proxied" ? { status: outcome.status, service: outcome.service } : outcome);
                for (const path of all) for (const caller of CALLERS) expect(comparable(envoy(path, caller), path), `${caller} ${path}`).toEqual(comparable(kong(path, caller), path));
            });
        }
    }
});

describe.skipIf(missingLua !== null)("Envoy's key handling (the Lua, run in LuaJIT)", () => {
    const gateway = envoyGatewayOf("0.8.2", true);
    const headersOf = (path: string, caller: Caller, options = {}) => (envoyRequest(gateway, path, caller, options) as { headers: Record<string, string> }).headers;

    it("an opaque key becomes its role's ES256 JWT; a client's own JWT and a legacy key pass as they are", () => {
        expect(headersOf("/rest/v1/todos", "secret").authorization).toBe(`Bearer ${TEST_KEYS.serviceRoleKeyAsymmetric}`);
        expect(headersOf("/auth/v1/user", "publishable").authorization).toBe(`Bearer ${TEST_KEYS.anonKeyAsymmetric}`);
        expect(headersOf("/auth/v1/user", "publishable", { authorization: "Bearer user.session.jwt" }).authorization).toBe("Bearer user.session.jwt");
        expect(headersOf("/auth/v1/user", "publishable", { authorization: `Bearer ${TEST_KEYS.publishableKey}` }).authorization).toBe(`Bearer ${TEST_KEYS.anonKeyAsymmetric}`);
        expect(headersOf("/rest/v1/todos", "anon").authorization).toBe(`Bearer ${ENVOY_ENV.ANON_KEY}`);
        // postgres-meta reads no JWT: its request is left as it came.
        expect(headersOf("/pg/tables", "secret").authorization).toBeUndefined();
    });

    it("the internal ES256 JWTs are no key a client may present", () => {
        const lua = gateway.lua;
        expect(lua).not.toContain(`KEYS[ [[${TEST_KEYS.anonKeyAsymmetric}]] ]`);
        expect(envoyRequest({ ...gateway }, "/rest/v1/todos", "nobody", { authorization: `Bearer ${TEST_KEYS.anonKeyAsymmetric}` })).toEqual({ status: 401 });
    });

    it("rest and graphql never see the key, in the header or the query; graphql gets its profile", () => {
        expect(headersOf("/rest/v1/todos", "secret").apikey).toBeUndefined();
        const fromQuery = envoyRequest(gateway, "/rest/v1/todos", "secret", { keyInQuery: true }) as { upstream: string };
        expect(fromQuery.upstream).toBe("http://rest:3000/todos");
        expect(headersOf("/graphql/v1", "anon")["content-profile"]).toBe("graphql_public");
        expect(headersOf("/auth/v1/user", "anon").apikey).toBe(ENVOY_ENV.ANON_KEY);
    });

    it("Realtime's socket gets the JWT in its query string and in x-api-key", () => {
        const socket = envoyRequest(gateway, "/realtime/v1/websocket?vsn=1.0.0", "publishable", { keyInQuery: true }) as { upstream: string; headers: Record<string, string> };
        expect(socket.upstream).toBe(`http://realtime-dev.supabase-realtime:4000/socket/websocket?vsn=1.0.0&apikey=${TEST_KEYS.anonKeyAsymmetric}`);
        expect(socket.headers["x-api-key"]).toBe(TEST_KEYS.anonKeyAsymmetric);
        expect(socket.headers.authorization).toBeUndefined();
    });

    it("storage, an open route, gets the JWT of an opaque key and every other request as it came", () => {
        expect(headersOf("/storage/v1/object/list/avatars", "secret").authorization).toBe(`Bearer ${TEST_KEYS.serviceRoleKeyAsymmetric}`);
        expect(headersOf("/storage/v1/object/list/avatars", "publishable", { authorization: `Bearer ${TEST_KEYS.publishableKey}` }).authorization).toBe(`Bearer ${TEST_KEYS.anonKeyAsymmetric}`);
        expect(headersOf("/storage/v1/object/list/avatars", "publishable", { authorization: "Bearer user.session.jwt" }).authorization).toBe("Bearer user.session.jwt");
        // A legacy key, another tenant's key or none: no check and no change (storage checks tokens itself).
        expect(headersOf("/storage/v1/object/list/avatars", "anon").authorization).toBeUndefined();
        expect(headersOf("/storage/v1/object/list/avatars", "stranger", { authorization: "Bearer sb_publishable_not_ours" }).authorization).toBe("Bearer sb_publishable_not_ours");
        expect(headersOf("/storage/v1/object/public/avatars/me.png", "nobody")).toEqual({});
        // The key is read from the header only, as Kong does there.
        expect((envoyRequest(gateway, "/storage/v1/object/list/avatars", "secret", { keyInQuery: true }) as { headers: Record<string, string> }).headers.authorization).toBeUndefined();
        // Its policy: no key check, only the mapping.
        expect(envoyGatewayOf("0.8.2", false).routes.find((r) => r.name === "storage-v1")!.metadata!.filter_metadata["envoy.filters.http.lua"]!.policy).toEqual({ roles: [], hide_key: false, map_jwt: true, websocket: false, open: true });
    });

    it("answers 401 without a key or with another tenant's, 403 for the anon key on a service-key route, with Kong's messages", () => {
        const route = gateway.routes.find((r) => r.name === "rest-v1-openapi")!;
        expect(route.metadata!.filter_metadata["envoy.filters.http.lua"]!.policy).toEqual({ roles: ["service_role"], hide_key: true, map_jwt: true, websocket: false, open: false });
        expect(envoyRequest(gateway, "/rest/v1/", "publishable")).toEqual({ status: 403 });
        expect(envoyRequest(gateway, "/rest/v1/", "stranger")).toEqual({ status: 401 });
    });
});

describe("Envoy's rendered files", () => {
    const files = renderEnvoyFiles({ release: RELEASES["0.8.2"], analyticsEnabled: true });
    const listener = parse(files.listenerTemplate).resources[0];
    const routes = listener.filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes as { name: string; route?: { timeout: string } }[];

    it("functions get 150 s, the socket lives as long as its client, every other route Kong's 60 s", () => {
        const timeout = (name: string) => routes.find((r) => r.name === name)!.route!.timeout;
        expect([timeout("functions-v1"), timeout("realtime-v1-ws"), timeout("rest-v1"), timeout("auth-v1")]).toEqual(["150s", "0s", "60s", "60s"]);
    });

    it("the uploaded template holds no key and no login; the start script refuses to start without one", () => {
        for (const value of Object.values(ENVOY_ENV)) expect(files.listenerTemplate + files.clusters + files.bootstrap).not.toContain(value);
        const empty = expandedEnvoyListener("0.8.2", true, { ...ENVOY_ENV, SUPABASE_SECRET_KEY: "" });
        expect(empty.status).toBe(1);
        expect(empty.stderr).toBe("envoy: environment variable SUPABASE_SECRET_KEY is empty or unset\n");
    });

    it("every string of the template is single-quoted, so a filled-in value with a quote reads back as it was", () => {
        const login = "o'brien:{SHA}abc+/=";
        const filled = expandedEnvoyListener("0.8.2", true, { ...ENVOY_ENV, DASHBOARD_BASIC_AUTH: login }).listener;
        const basicAuth = filled.filter_chains[0].filters[0].typed_config.http_filters.find((f: { name: string }) => f.name === "envoy.filters.http.basic_auth");
        expect(basicAuth.typed_config.users.inline_string).toBe(login);
        expect(files.listenerTemplate.split("\n").filter((line) => /: "/.test(line))).toEqual([]);
    });

    it("the bootstrap reads clusters from the upload and the listener from the tmpfs; the admin port stays inside the container", () => {
        const bootstrap = parse(files.bootstrap);
        expect(bootstrap.dynamic_resources.cds_config.path_config_source.path).toBe("/etc/envoy/cds.yaml");
        expect(bootstrap.dynamic_resources.lds_config.path_config_source.path).toBe("/run/envoy/lds.yaml");
        expect(bootstrap.admin.address.socket_address.address).toBe("127.0.0.1");
        const clusters = parse(files.clusters).resources.map((c: { name: string }) => c.name);
        expect(clusters).toEqual(["auth", "rest", "realtime", "storage", "functions", "meta", "studio"]);
    });
});

describe.skipIf(envoyCheckBinary() === undefined)("Envoy's files load as Envoy 1.39 loads them (envoy-check: its protos, validate rules and load-time checks)", () => {
    for (const release of RELEASE_NAMES.filter((name) => RELEASES[name].envoyImage)) {
        for (const [analytics, previous] of [[true, false], [false, false], [true, true]] as const) {
            it(`${release}, analytics ${analytics ? "on" : "off"}${previous ? ", previous opaque keys kept" : ""}: bootstrap, clusters and the filled-in listener`, () => {
                const root = mkdtempSync(join(tmpdir(), "fleet-envoy-check-"));
                try {
                    const files = renderEnvoyFiles({ release: RELEASES[release], analyticsEnabled: analytics, previousOpaqueKeys: previous });
                    const env = previous ? { ...ENVOY_ENV, SUPABASE_PREVIOUS_PUBLISHABLE_KEY: "sb_publishable_previous", SUPABASE_PREVIOUS_SECRET_KEY: "sb_secret_previous" } : ENVOY_ENV;
                    const listener = expandedEnvoyListenerText(release, analytics, env, previous);
                    for (const [path, content] of [[ENVOY_CONFIG.bootstrapPath, files.bootstrap], [ENVOY_CONFIG.clustersPath, files.clusters], [ENVOY_CONFIG.listenerPath, listener]] as const) {
                        mkdirSync(dirname(join(root, path)), { recursive: true });
                        writeFileSync(join(root, path), content);
                    }
                    const result = runEnvoyCheck(root, join(root, ENVOY_CONFIG.bootstrapPath));
                    expect(result.output).toMatch(/^envoy-check: ok \(\d+ clusters, 1 listeners, \d+ routes\)$/);
                    expect(result.ok).toBe(true);
                    // The check can fail: a route to a cluster that is not there.
                    writeFileSync(join(root, ENVOY_CONFIG.clustersPath), files.clusters.replace(/^(\s+)name: auth$/m, "$1name: auth-gone"));
                    expect(runEnvoyCheck(root, join(root, ENVOY_CONFIG.bootstrapPath)).ok).toBe(false);
                } finally {
                    rmSync(root, { recursive: true, force: true });
                }
            });
        }
    }
});
