/**
 * Models of the two gateways, fed with the configs the component renders, for the route tests:
 * - Kong's traditional router (regex paths first, anchored at the start; then plain paths as
 *   prefixes, the longest wins) and the plugins the config uses;
 * - Envoy's router (the first route whose `path` or `prefix` matches), its per-route filters
 *   (direct responses, basic auth) and the key check, whose Lua really runs in LuaJIT, the Lua
 *   Envoy embeds, on the listener the envoy container's start script (real sh and awk) filled in.
 * Neither is the gateway itself; the end-to-end suite runs the gateway images.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { deriveAsymmetricKeys } from "../../components/asymmetricKeys.js";
import { envoyTemplatePlaceholders, renderEnvoyFiles } from "../../components/gateway/envoyConfig.js";
import { envoyStartScript, htpasswdSha } from "../../components/services/envoy.js";
import { RELEASES, type ReleaseName } from "../../components/releases.js";
import { render } from "./fixtures.js";

export type Caller = "nobody" | "anon" | "service_role" | "dashboard" | "publishable" | "secret" | "stranger";
export const CALLERS: readonly Caller[] = ["nobody", "anon", "service_role", "dashboard", "publishable", "secret", "stranger"];
export type Outcome = { status: 401 | 403 | 404 } | { status: "proxied"; service: string; upstream: string; headers?: Record<string, string> };

export const TEST_KEYS = deriveAsymmetricKeys({ seeds: { signingKeySeed: "s", publishableKeySeed: "p", secretKeySeed: "k" }, jwtSecret: "x".repeat(40), expiresAt: 2_082_758_400 });
const LEGACY_ANON = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.legacy-anon";
const LEGACY_SERVICE = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.legacy-service";
const DASHBOARD = { username: "supabase", password: "it's a dashboard password" };

/** The environment the envoy container starts with, as the component sets it. */
export const ENVOY_ENV: Record<string, string> = {
    ANON_KEY: LEGACY_ANON,
    SERVICE_ROLE_KEY: LEGACY_SERVICE,
    DASHBOARD_BASIC_AUTH: htpasswdSha(DASHBOARD.username, DASHBOARD.password),
    SUPABASE_PUBLISHABLE_KEY: TEST_KEYS.publishableKey,
    SUPABASE_SECRET_KEY: TEST_KEYS.secretKey,
    ANON_KEY_ASYMMETRIC: TEST_KEYS.anonKeyAsymmetric,
    SERVICE_ROLE_KEY_ASYMMETRIC: TEST_KEYS.serviceRoleKeyAsymmetric,
};

/** The `apikey` a caller presents (the opaque keys exist from 0.8.2 on). */
function keyOf(caller: Caller): string | undefined {
    return { anon: LEGACY_ANON, service_role: LEGACY_SERVICE, publishable: TEST_KEYS.publishableKey, secret: TEST_KEYS.secretKey, stranger: "sb_secret_not-this-tenants-key" }[caller as string];
}

// ---- Kong ----

interface KongPlugin {
    name: string;
    config?: { allow?: string[]; status_code?: number };
}
export interface KongService {
    name: string;
    url: string;
    read_timeout?: number;
    routes: { paths: string[] }[];
    plugins?: KongPlugin[];
}

export function kongServicesOf(release: ReleaseName, analyticsEnabled: boolean): KongService[] {
    return parse(render("acme", analyticsEnabled, release).kongDeclarativeConfigTemplate.content).services as KongService[];
}

/** Kong's test for a regex path: a character outside those of a plain URI path. */
const isRegexPath = (path: string) => /[^A-Za-z0-9\-._~/%]/.test(path);

/** The key-auth credential groups of a caller in the given release's config (the opaque keys are credentials from 0.8.2 on). */
function kongGroupOf(caller: Caller, release: ReleaseName): string | undefined {
    const current = release !== "feb-2026";
    if (caller === "anon" || (current && caller === "publishable")) return "anon";
    if (caller === "service_role" || (current && caller === "secret")) return "admin";
    return undefined;
}

/** strip_path with Kong's path handling v0: the rest of the path after the service URL's path, one slash between. */
function joinKong(url: string, rest: string): string {
    if (rest === "") return url;
    const tail = rest.startsWith("/") ? rest : `/${rest}`;
    return url.endsWith("/") ? url + tail.slice(1) : url + tail;
}

export function kongRequest(services: readonly KongService[], path: string, caller: Caller, release: ReleaseName = "0.8.2"): Outcome {
    let best: { service: KongService; prefix: string } | undefined;
    for (const service of services) {
        for (const candidate of service.routes.flatMap((route) => route.paths).filter(isRegexPath)) {
            const match = new RegExp(`^(?:${candidate})`).exec(path);
            if (match && !best) best = { service, prefix: match[0] };
        }
    }
    for (const service of best ? [] : services) {
        for (const prefix of service.routes.flatMap((route) => route.paths).filter((p) => !isRegexPath(p))) {
            if (path.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { service, prefix };
        }
    }
    if (!best) return { status: 404 };
    const group = kongGroupOf(caller, release);
    for (const plugin of best.service.plugins ?? []) {
        if (plugin.name === "request-termination") return { status: plugin.config!.status_code as 403 };
        if (plugin.name === "key-auth" && group === undefined) return { status: 401 };
        if (plugin.name === "acl" && !plugin.config!.allow!.includes(group ?? "")) return { status: 403 };
        if (plugin.name === "basic-auth" && caller !== "dashboard") return { status: 401 };
    }
    return { status: "proxied", service: best.service.name, upstream: joinKong(best.service.url, path.slice(best.prefix.length)) };
}

// ---- Envoy ----

interface EnvoyRoute {
    name: string;
    match: { path?: string; prefix?: string };
    route?: { cluster: string; prefix_rewrite: string; timeout: string };
    direct_response?: { status: number };
    metadata?: { filter_metadata: Record<string, { policy: Record<string, unknown> }> };
    typed_per_filter_config: Record<string, { disabled?: boolean }>;
    request_headers_to_add?: { header: { key: string; value: string } }[];
}
export interface EnvoyGateway {
    readonly routes: EnvoyRoute[];
    readonly clusters: Map<string, string>;
    readonly lua: string;
    readonly basicAuthUsers: string;
}

const scratch = mkdtempSync(join(tmpdir(), "fleet-envoy-model-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

/** The listener file as the envoy container's start script fills it in (real sh and awk). */
function fillListener(release: ReleaseName, analyticsEnabled: boolean, env: Record<string, string>, previousOpaqueKeys: boolean): { status: number | null; stderr: string; text?: string } {
    const templatePath = join(scratch, "lds.template.yaml");
    const renderedPath = join(scratch, "lds.yaml");
    writeFileSync(templatePath, renderEnvoyFiles({ release: RELEASES[release], analyticsEnabled, previousOpaqueKeys }).listenerTemplate);
    rmSync(renderedPath, { force: true });
    const script = envoyStartScript(envoyTemplatePlaceholders(RELEASES[release], previousOpaqueKeys), { templatePath, renderedPath }, "true");
    const result = spawnSync("sh", ["-c", script], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });
    return { status: result.status, stderr: result.stderr, ...(result.status === 0 ? { text: readFileSync(renderedPath, "utf8") } : {}) };
}

export function expandedEnvoyListener(release: ReleaseName, analyticsEnabled: boolean, env: Record<string, string> = ENVOY_ENV): { status: number | null; stderr: string; listener?: any } {
    const { text, ...result } = fillListener(release, analyticsEnabled, env, false);
    return { ...result, ...(text !== undefined ? { listener: parse(text).resources[0] } : {}) };
}

export function expandedEnvoyListenerText(release: ReleaseName, analyticsEnabled: boolean, env: Record<string, string>, previousOpaqueKeys: boolean): string {
    const result = fillListener(release, analyticsEnabled, env, previousOpaqueKeys);
    if (result.text === undefined) throw new Error(`the start script failed: ${result.stderr}`);
    return result.text;
}

export function envoyGatewayOf(release: ReleaseName, analyticsEnabled: boolean): EnvoyGateway {
    const expanded = expandedEnvoyListener(release, analyticsEnabled);
    if (!expanded.listener) throw new Error(`the start script failed: ${expanded.stderr}`);
    const manager = expanded.listener.filter_chains[0].filters[0].typed_config;
    const filter = (name: string) => manager.http_filters.find((f: { name: string }) => f.name === name).typed_config;
    const clusters = parse(renderEnvoyFiles({ release: RELEASES[release], analyticsEnabled }).clusters).resources as any[];
    return {
        routes: manager.route_config.virtual_hosts[0].routes,
        clusters: new Map(clusters.map((c) => [c.name, `http://${c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address}:${c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value}`])),
        lua: filter("envoy.filters.http.lua").default_source_code.inline_string,
        basicAuthUsers: filter("envoy.filters.http.basic_auth").users.inline_string,
    };
}

const luaString = (value: string) => `[==[${value}]==]`;
function luaValue(value: unknown): string {
    if (Array.isArray(value)) return `{ ${value.map(luaValue).join(", ")} }`;
    if (typeof value === "object" && value !== null) return `{ ${Object.entries(value).map(([k, v]) => `[ ${luaString(k)} ] = ${luaValue(v)}`).join(", ")} }`;
    if (typeof value === "string") return luaString(value);
    return String(value);
}

/** Runs the gateway's Lua `envoy_on_request` in LuaJIT with a stand-in of Envoy's stream handle. */
export function runEnvoyLua(lua: string, policy: Record<string, unknown>, headers: Record<string, string>): { respond?: { status: number; body: string }; headers: Record<string, string> } {
    const program = `${lua}
local headers = ${luaValue(headers)}
local metadata = { policy = ${luaValue(policy)} }
local handle = {}
function handle:metadata() return { get = function(_, key) return metadata[key] end } end
function handle:headers() return {
  get = function(_, key) return headers[key] end,
  replace = function(_, key, value) headers[key] = value end,
  remove = function(_, key) headers[key] = nil end,
} end
local responded
function handle:respond(h, body) responded = h[":status"] .. "\\t" .. body end
envoy_on_request(handle)
if responded then io.write("respond\\t", responded, "\\n") return end
for key, value in pairs(headers) do io.write("header\\t", key, "\\t", value, "\\n") end
`;
    const result = spawnSync("luajit", ["-"], { input: program, encoding: "utf8" });
    if (result.error || result.status !== 0) throw new Error(`luajit: ${result.error?.message ?? result.stderr}`);
    const lines = result.stdout.split("\n").filter(Boolean).map((line) => line.split("\t"));
    if (lines[0]?.[0] === "respond") return { respond: { status: Number(lines[0][1]), body: lines[0][2]! }, headers: {} };
    return { headers: Object.fromEntries(lines.map(([, key, value]) => [key!, value ?? ""])) };
}

/** The basic_auth filter: the caller's `Authorization: Basic` checked against the htpasswd line (SHA). */
function basicAuthPasses(users: string, caller: Caller): boolean {
    if (caller !== "dashboard") return false;
    return users === htpasswdSha(DASHBOARD.username, DASHBOARD.password);
}

export interface EnvoyRequestOptions {
    /** The key in the query string instead of the `apikey` header. */
    readonly keyInQuery?: boolean;
    readonly authorization?: string;
}

export function envoyRequest(gateway: EnvoyGateway, requestPath: string, caller: Caller, options: EnvoyRequestOptions = {}): Outcome {
    const key = keyOf(caller);
    const fullPath = key !== undefined && options.keyInQuery ? `${requestPath}${requestPath.includes("?") ? "&" : "?"}apikey=${encodeURIComponent(key)}` : requestPath;
    const path = requestPath.split("?")[0]!;
    const route = gateway.routes.find((candidate) => (candidate.match.path !== undefined ? path === candidate.match.path : path.startsWith(candidate.match.prefix!)));
    if (!route) return { status: 404 };
    if (route.direct_response) return { status: route.direct_response.status as 403 };
    if (!route.typed_per_filter_config["envoy.filters.http.basic_auth"]?.disabled && !basicAuthPasses(gateway.basicAuthUsers, caller)) return { status: 401 };
    let headers: Record<string, string> = { ":path": fullPath, ...(key !== undefined && !options.keyInQuery ? { apikey: key } : {}), ...(options.authorization ? { authorization: options.authorization } : {}) };
    const policy = route.metadata?.filter_metadata["envoy.filters.http.lua"]?.policy;
    if (policy) {
        const result = runEnvoyLua(gateway.lua, policy, headers);
        if (result.respond) return { status: result.respond.status as 401 | 403 };
        headers = result.headers;
    }
    const matched = route.match.path ?? route.match.prefix!;
    const upstreamPath = route.route!.prefix_rewrite + (headers[":path"] ?? fullPath).slice(matched.length);
    for (const added of route.request_headers_to_add ?? []) headers[added.header.key.toLowerCase()] = added.header.value;
    const { [":path"]: _, ...rest } = headers;
    return { status: "proxied", service: route.name, upstream: gateway.clusters.get(route.route!.cluster)! + upstreamPath, headers: rest };
}
