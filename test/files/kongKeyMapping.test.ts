/**
 * Release 0.8.2's gateway: the opaque keys are key-auth credentials of their role (the internal ES256
 * JWTs never are), and every route behind key-auth, and storage, hands the services a JWT. The
 * mapping is a Lua expression of request-transformer; here it is expanded by the container's start
 * script (real sh and awk) with real keys, then evaluated by LuaJIT, the Lua Kong runs, for each kind
 * of request.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { deriveAsymmetricKeys } from "../../components/asymmetricKeys.js";
import { kongExpandTemplateScript, kongTemplatePlaceholders } from "../../components/files/index.js";
import { RELEASES } from "../../components/releases.js";
import { renderKongDeclarativeConfigTemplate } from "../../components/files/kongConfig.js";
import { render } from "./fixtures.js";
import { TEST_KEYS } from "./gatewayModels.js";

// The same test keys as the gateway models (both gateways are checked with one set).
const keys = TEST_KEYS;
const ENV: Record<string, string> = {
    SUPABASE_ANON_KEY: "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.legacy-anon",
    SUPABASE_SERVICE_KEY: "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.legacy-service",
    DASHBOARD_USERNAME: "supabase",
    DASHBOARD_PASSWORD: "a-dashboard-password",
    SUPABASE_PUBLISHABLE_KEY: keys.publishableKey,
    SUPABASE_SECRET_KEY: keys.secretKey,
    ANON_KEY_ASYMMETRIC: keys.anonKeyAsymmetric,
    SERVICE_ROLE_KEY_ASYMMETRIC: keys.serviceRoleKeyAsymmetric,
};

interface Plugin { name: string; config?: Record<string, any> }
interface Service { name: string; plugins?: Plugin[] }

const scratch = mkdtempSync(join(tmpdir(), "fleet-kong-keys-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The 0.8.2 template as the kong container expands it at start. */
function expandedConfig(env: Record<string, string>, previousOpaqueKeys = false): { status: number | null; stderr: string; config?: any } {
    const templatePath = join(scratch, "temp.yml");
    const renderedPath = join(scratch, "kong.yml");
    writeFileSync(templatePath, renderKongDeclarativeConfigTemplate({ release: RELEASES["0.8.2"], analyticsEnabled: true, previousOpaqueKeys }));
    rmSync(renderedPath, { force: true });
    const script = kongExpandTemplateScript({ templatePath, renderedPath }, "true", kongTemplatePlaceholders(RELEASES["0.8.2"], previousOpaqueKeys));
    const result = spawnSync("sh", ["-c", script], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });
    return { status: result.status, stderr: result.stderr, ...(result.status === 0 ? { config: parse(readFileSync(renderedPath, "utf8")) } : {}) };
}

/** Evaluates a request-transformer value `name:$(expr)` as Kong's template does: `expr` with the request's tables. */
function evaluate(value: string, request: { headers?: Record<string, string>; query?: Record<string, string> }): string {
    const expression = value.slice(value.indexOf(":") + 1);
    expect(expression.startsWith("$(") && expression.endsWith(")")).toBe(true);
    const table = (entries: Record<string, string> = {}) => `{${Object.entries(entries).map(([k, v]) => `[ [==[${k}]==] ] = [==[${v}]==]`).join(", ")}}`;
    const lua = `local f = assert(loadstring("return " .. [===[${expression.slice(2, -1)}]===]))
setfenv(f, { headers = ${table(request.headers)}, query_params = ${table(request.query)} })
io.write(tostring(f()))`;
    const result = spawnSync("luajit", ["-"], { input: lua, encoding: "utf8" });
    if (result.error || result.status !== 0) throw new Error(`luajit: ${result.error?.message ?? result.stderr}`);
    return result.stdout;
}

/** Runs a post-function's Lua in LuaJIT with a stand-in of Kong's PDK; says whether it cleared the Authorization header. */
function runPostFunction(code: string, authorization: string | undefined): "cleared" | "kept" {
    const value = authorization === undefined ? "nil" : `[==[${authorization}]==]`;
    const lua = `local cleared = false
kong = { request = { get_header = function(name) if name == "authorization" then return ${value} end end },
  service = { request = { clear_header = function(name) if name == "authorization" then cleared = true end end } } }
assert(loadstring([===[${code}]===]))()
io.write(cleared and "cleared" or "kept")`;
    const result = spawnSync("luajit", ["-"], { input: lua, encoding: "utf8" });
    if (result.error || result.status !== 0) throw new Error(`luajit: ${result.error?.message ?? result.stderr}`);
    return result.stdout as "cleared" | "kept";
}

const missingLua = spawnSync("luajit", ["-v"]).status === 0 ? null : "luajit is not installed (bash .ci/setup-luajit.sh)";
if (missingLua && process.env.CI === "true") throw new Error(`CI=true but ${missingLua}`);

describe("0.8.2 gateway: opaque keys", () => {
    const { config } = expandedConfig(ENV);
    const services = config.services as Service[];
    const plugin = (service: string, name: string) => services.find((s) => s.name === service)!.plugins!.find((p) => p.name === name);

    it("each role accepts its legacy key and its opaque key; the internal ES256 JWTs are no client credential", () => {
        const consumer = (name: string) => (config.consumers as { username: string; keyauth_credentials?: { key: string }[] }[]).find((c) => c.username === name)!;
        expect(consumer("anon").keyauth_credentials).toEqual([{ key: ENV.SUPABASE_ANON_KEY }, { key: keys.publishableKey }]);
        expect(consumer("service_role").keyauth_credentials).toEqual([{ key: ENV.SUPABASE_SERVICE_KEY }, { key: keys.secretKey }]);
        expect(JSON.stringify(config.consumers)).not.toContain(keys.anonKeyAsymmetric);
    });

    it("every key-checked route of a service that reads JWTs maps the key; meta (service key only, no JWT) does not need it", () => {
        for (const name of ["auth-v1", "rest-v1", "graphql-v1", "realtime-v1-rest"]) {
            const transformer = plugin(name, "request-transformer");
            expect(transformer?.config?.replace?.headers?.some((h: string) => h.startsWith("Authorization:$(")), name).toBe(true);
            expect(transformer?.config?.add?.headers?.some((h: string) => h.startsWith("Authorization:$(")), name).toBe(true);
        }
        expect(plugin("graphql-v1", "request-transformer")!.config!.add.headers).toContain("Content-Profile:graphql_public");
        expect(plugin("realtime-v1-ws", "request-transformer")!.config!.replace.querystring[0]).toMatch(/^apikey:\$\(/);
    });

    it.skipIf(missingLua !== null)("LuaJIT: an opaque key becomes its role's ES256 JWT; a client's own JWT and a legacy key pass as they are", () => {
        const authorization = plugin("rest-v1", "request-transformer")!.config!.replace.headers[0] as string;
        expect(evaluate(authorization, { headers: { apikey: keys.secretKey } })).toBe(`Bearer ${keys.serviceRoleKeyAsymmetric}`);
        expect(evaluate(authorization, { headers: { apikey: keys.publishableKey } })).toBe(`Bearer ${keys.anonKeyAsymmetric}`);
        // A signed-in user's session token wins over the key that let the request in.
        expect(evaluate(authorization, { headers: { apikey: keys.publishableKey, authorization: "Bearer user.session.jwt" } })).toBe("Bearer user.session.jwt");
        // supabase-js sends the opaque key as a bearer too: that is not a JWT, so it is mapped.
        expect(evaluate(authorization, { headers: { apikey: keys.publishableKey, authorization: `Bearer ${keys.publishableKey}` } })).toBe(`Bearer ${keys.anonKeyAsymmetric}`);
        // A legacy key is a JWT of its role: it becomes the bearer.
        expect(evaluate(authorization, { headers: { apikey: ENV.SUPABASE_ANON_KEY } })).toBe(`Bearer ${ENV.SUPABASE_ANON_KEY}`);
        expect(evaluate(authorization, { headers: { apikey: ENV.SUPABASE_SERVICE_KEY, authorization: `Bearer ${ENV.SUPABASE_SERVICE_KEY}` } })).toBe(`Bearer ${ENV.SUPABASE_SERVICE_KEY}`);

        const realtimeKey = plugin("realtime-v1-ws", "request-transformer")!.config!.replace.querystring[0] as string;
        expect(evaluate(realtimeKey, { query: { apikey: keys.publishableKey } })).toBe(keys.anonKeyAsymmetric);
        expect(evaluate(realtimeKey, { query: { apikey: ENV.SUPABASE_ANON_KEY } })).toBe(ENV.SUPABASE_ANON_KEY);
    });

    it.skipIf(missingLua !== null)("LuaJIT: storage, an open route, gets the JWT of an opaque key; any other request keeps its Authorization, or gets none", () => {
        expect(plugin("storage-v1", "key-auth")).toBeUndefined();
        expect(services.find((s) => s.name === "storage-v1")!.plugins!.map((p) => p.name)).toEqual(["cors", "request-transformer", "post-function"]);
        const authorization = plugin("storage-v1", "request-transformer")!.config!.add.headers[0] as string;
        expect(plugin("storage-v1", "request-transformer")!.config!.replace.headers).toEqual([authorization]);
        expect(evaluate(authorization, { headers: { apikey: keys.secretKey } })).toBe(`Bearer ${keys.serviceRoleKeyAsymmetric}`);
        expect(evaluate(authorization, { headers: { apikey: keys.publishableKey, authorization: `Bearer ${keys.publishableKey}` } })).toBe(`Bearer ${keys.anonKeyAsymmetric}`);
        expect(evaluate(authorization, { headers: { apikey: keys.publishableKey, authorization: "Bearer user.session.jwt" } })).toBe("Bearer user.session.jwt");
        expect(evaluate(authorization, { headers: { apikey: ENV.SUPABASE_ANON_KEY, authorization: `Bearer ${ENV.SUPABASE_ANON_KEY}` } })).toBe(`Bearer ${ENV.SUPABASE_ANON_KEY}`);
        expect(evaluate(authorization, { headers: { apikey: "sb_secret_not-this-tenants-key", authorization: "Bearer sb_secret_not-this-tenants-key" } })).toBe("Bearer sb_secret_not-this-tenants-key");
        // Nothing to map and nothing sent (a public object, an S3 presigned URL): an empty value, which the post-function takes off.
        expect(evaluate(authorization, { headers: { apikey: ENV.SUPABASE_ANON_KEY } })).toBe("");
        expect(evaluate(authorization, {})).toBe("");
        const clear = plugin("storage-v1", "post-function")!.config!.access as string[];
        expect(clear).toHaveLength(1);
        expect(runPostFunction(clear[0]!, "")).toBe("cleared");
        expect(runPostFunction(clear[0]!, `Bearer ${keys.anonKeyAsymmetric}`)).toBe("kept");
        expect(runPostFunction(clear[0]!, undefined)).toBe("kept");
    });

    it("feb-2026: storage keeps its one plugin, cors", () => {
        const feb = parse(renderKongDeclarativeConfigTemplate({ release: RELEASES["feb-2026"], analyticsEnabled: true })) as { services: Service[] };
        expect(feb.services.find((s) => s.name === "storage-v1")!.plugins!.map((p) => p.name)).toEqual(["cors"]);
    });

    it("the uploaded template holds no key; the start script refuses to start without one", () => {
        const template = render("acme", true, "0.8.2").kongDeclarativeConfigTemplate.content;
        for (const name of kongTemplatePlaceholders(RELEASES["0.8.2"]).filter((n) => n !== "DASHBOARD_USERNAME")) expect(template).not.toContain(ENV[name]);
        expect(template).not.toMatch(/["`\\]/);
        const empty = expandedConfig({ ...ENV, SERVICE_ROLE_KEY_ASYMMETRIC: "" });
        expect(empty.status).toBe(1);
        expect(empty.stderr).toBe("kong: environment variable SERVICE_ROLE_KEY_ASYMMETRIC is empty or unset\n");
    });

    it.skipIf(missingLua !== null)("after a rotation of the opaque keys, the previous pair still gets in and maps to the same JWTs while kept", () => {
        const rotated = deriveAsymmetricKeys({ seeds: { signingKeySeed: "s", publishableKeySeed: "p", secretKeySeed: "k" }, jwtSecret: "x".repeat(40), expiresAt: 2_082_758_400, opaque: { generation: 2, keepPrevious: true } });
        expect([rotated.previousPublishableKey, rotated.previousSecretKey]).toEqual([keys.publishableKey, keys.secretKey]);
        const env = { ...ENV, SUPABASE_PUBLISHABLE_KEY: rotated.publishableKey, SUPABASE_SECRET_KEY: rotated.secretKey, SUPABASE_PREVIOUS_PUBLISHABLE_KEY: rotated.previousPublishableKey!, SUPABASE_PREVIOUS_SECRET_KEY: rotated.previousSecretKey! };
        const kept = expandedConfig(env, true).config;
        const anon = (kept.consumers as { username: string; keyauth_credentials?: { key: string }[] }[]).find((c) => c.username === "anon")!;
        expect(anon.keyauth_credentials!.map((c) => c.key)).toEqual([ENV.SUPABASE_ANON_KEY, rotated.publishableKey, keys.publishableKey]);
        const authorization = (kept.services as Service[]).find((s) => s.name === "rest-v1")!.plugins!.find((p) => p.name === "request-transformer")!.config!.replace.headers[0] as string;
        for (const [key, jwt] of [[rotated.secretKey, ENV.SERVICE_ROLE_KEY_ASYMMETRIC], [keys.secretKey, ENV.SERVICE_ROLE_KEY_ASYMMETRIC], [rotated.publishableKey, ENV.ANON_KEY_ASYMMETRIC], [keys.publishableKey, ENV.ANON_KEY_ASYMMETRIC]] as const) {
            expect(evaluate(authorization, { headers: { apikey: key } })).toBe(`Bearer ${jwt}`);
        }
        // Once dropped, the gateway knows only the new pair, and starts without the previous one.
        const dropped = expandedConfig({ ...ENV, SUPABASE_PUBLISHABLE_KEY: rotated.publishableKey, SUPABASE_SECRET_KEY: rotated.secretKey }).config;
        expect(JSON.stringify(dropped)).not.toContain(keys.publishableKey);
        expect(JSON.stringify(dropped)).not.toContain(keys.secretKey);
    });
});
