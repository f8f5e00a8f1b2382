/**
 * The main edge function is Deno code for the container. Here it is transpiled with TypeScript (which
 * also proves it parses) and run against stand-ins of Deno's globals and the edge runtime, with the
 * npm build of jose in place of the deno.land module (same jwtVerify API).
 */
import * as jose from "jose";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { deriveAsymmetricKeys } from "../../components/asymmetricKeys.js";
import { FUNCTION_ADMIN_ENV, FUNCTION_PUBLIC_ENV, JOSE_MODULE_URL, MAIN_EDGE_FUNCTION_SOURCE } from "../../components/files/mainEdgeFunction.js";
import { render } from "./fixtures.js";

const SECRET = "main-function-test-secret-0123456789abcdef";

interface WorkerOptions {
    readonly servicePath: string;
    readonly envVars: [string, string][];
}
type Handler = (request: Request) => Promise<Response>;

function loadRouter(env: Record<string, string>, workerFails = false) {
    const output = ts.transpileModule(MAIN_EDGE_FUNCTION_SOURCE, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
        reportDiagnostics: true,
    });
    expect(output.diagnostics ?? []).toEqual([]);

    let handler: Handler | undefined;
    const workers: WorkerOptions[] = [];
    const Deno = {
        env: { get: (name: string) => env[name], toObject: () => ({ ...env }) },
        serve: (h: Handler) => {
            handler = h;
        },
    };
    const EdgeRuntime = {
        userWorkers: {
            create: async (options: WorkerOptions) => {
                if (workerFails) throw new Error("worker boot error: no such function");
                workers.push(options);
                return { fetch: async (request: Request) => Response.json({ servedBy: options.servicePath, path: new URL(request.url).pathname }) };
            },
        },
    };
    const requireModule = (id: string) => {
        if (id !== JOSE_MODULE_URL) throw new Error(`unexpected import ${id}`);
        return jose;
    };
    const quiet = { log: () => {}, error: () => {} };
    const module = { exports: {} };
    new Function("require", "module", "exports", "Deno", "EdgeRuntime", "console", output.outputText)(requireModule, module, module.exports, Deno, EdgeRuntime, quiet);
    if (!handler) throw new Error("the main function did not call Deno.serve");
    return { handler, workers };
}

const sign = (secret: string, alg = "HS256") =>
    new jose.SignJWT({ role: "anon" }).setProtectedHeader({ alg }).setIssuedAt().setExpirationTime("1h").sign(new TextEncoder().encode(secret));

async function call(handler: Handler, path: string, init: RequestInit = {}) {
    const response = await handler(new Request(`http://functions:9000${path}`, init));
    return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
}

describe("main edge function", () => {
    it("is the file the functions container starts, importing jose from deno.land", () => {
        const file = render("acme", true).mainEdgeFunction;
        expect(file.path).toBe("/home/deno/functions/main/index.ts");
        expect(file.content).toBe(MAIN_EDGE_FUNCTION_SOURCE);
        expect(file.content).toContain('import * as jose from "https://deno.land/x/jose@v4.14.4/index.ts";');
    });

    it("with VERIFY_JWT=true: refuses a missing, malformed, foreign or non-HS256 token with JSON 401", async () => {
        const { handler, workers } = loadRouter({ JWT_SECRET: SECRET, VERIFY_JWT: "true" });
        expect(await call(handler, "/hello")).toEqual({ status: 401, type: "application/json", body: { msg: "Missing authorization header: expected 'Bearer <JWT>'" } });
        expect(await call(handler, "/hello", { headers: { authorization: "Basic abc" } })).toMatchObject({ status: 401 });
        expect(await call(handler, "/hello", { headers: { authorization: "Bearer not-a-jwt" } })).toEqual({ status: 401, type: "application/json", body: { msg: "Invalid JWT" } });
        const foreign = await sign("another-secret-of-another-project-0123456789");
        expect(await call(handler, "/hello", { headers: { authorization: `Bearer ${foreign}` } })).toEqual({ status: 401, type: "application/json", body: { msg: "Invalid JWT" } });
        const hs512 = await sign(SECRET + SECRET, "HS512");
        expect(await call(handler, "/hello", { headers: { authorization: `Bearer ${hs512}` } })).toMatchObject({ status: 401 });
        expect(workers).toEqual([]);
    });

    it("with VERIFY_JWT=true: a token signed with JWT_SECRET reaches the named function's worker, with the environment", async () => {
        const { handler, workers } = loadRouter({ JWT_SECRET: SECRET, VERIFY_JWT: "true", SUPABASE_URL: "http://kong:8000" });
        const token = await sign(SECRET);
        expect(await call(handler, "/hello/world?x=1", { headers: { authorization: `Bearer ${token}` } })).toEqual({
            status: 200,
            type: "application/json",
            body: { servedBy: "/home/deno/functions/hello", path: "/hello/world" },
        });
        expect(workers.map((w) => w.servicePath)).toEqual(["/home/deno/functions/hello"]);
        expect(workers[0]!.envVars).toContainEqual(["SUPABASE_URL", "http://kong:8000"]);
        // CORS preflights carry no token.
        expect(await call(handler, "/hello", { method: "OPTIONS" })).toMatchObject({ status: 200 });
    });

    it("with VERIFY_JWT not true: routes without a token", async () => {
        const { handler } = loadRouter({ JWT_SECRET: SECRET, VERIFY_JWT: "false" });
        expect(await call(handler, "/hello")).toMatchObject({ status: 200, body: { servedBy: "/home/deno/functions/hello" } });
    });

    it("answers JSON errors for a missing or unusable function name and a failing worker", async () => {
        const { handler, workers } = loadRouter({ VERIFY_JWT: "false" });
        expect(await call(handler, "/")).toEqual({ status: 400, type: "application/json", body: { msg: "Missing function name in request path" } });
        expect(await call(handler, "/main/x")).toEqual({ status: 404, type: "application/json", body: { msg: "Function not found: main" } });
        expect(await call(handler, "/..%2fetc/passwd")).toMatchObject({ status: 404 });
        expect(await call(handler, "/a.b")).toMatchObject({ status: 404 });
        expect(workers).toEqual([]);
        const failing = loadRouter({ VERIFY_JWT: "false" }, true);
        expect(await call(failing.handler, "/hello")).toEqual({
            status: 500,
            type: "application/json",
            body: { msg: "Function hello failed: worker boot error: no such function" },
        });
    });

    it("refuses every request when VERIFY_JWT is true but JWT_SECRET is empty", async () => {
        const { handler } = loadRouter({ VERIFY_JWT: "true" });
        expect(await call(handler, "/hello", { headers: { authorization: `Bearer ${await sign(SECRET)}` } })).toEqual({
            status: 500,
            type: "application/json",
            body: { msg: "JWT verification is not configured" },
        });
    });

    describe("release 0.8.2: ES256 sessions", () => {
        const seeds = { signingKeySeed: "s", publishableKeySeed: "p", secretKeySeed: "k" };
        const keys = deriveAsymmetricKeys({ seeds, jwtSecret: SECRET, expiresAt: 2_082_758_400 });
        const other = deriveAsymmetricKeys({ seeds: { ...seeds, signingKeySeed: "another tenant" }, jwtSecret: SECRET, expiresAt: 2_082_758_400 });
        const router = () => loadRouter({ JWT_SECRET: SECRET, VERIFY_JWT: "true", SUPABASE_JWKS: keys.jwtJwks });

        it("accepts a token signed with the tenant's EC key and still an HS256 one", async () => {
            const { handler } = router();
            expect(await call(handler, "/hello", { headers: { authorization: `Bearer ${keys.anonKeyAsymmetric}` } })).toMatchObject({ status: 200 });
            expect(await call(handler, "/hello", { headers: { authorization: `Bearer ${await sign(SECRET)}` } })).toMatchObject({ status: 200 });
        });

        it("refuses an ES256 token of another key, and any ES256 token where no key set is configured (feb-2026)", async () => {
            expect(await call(router().handler, "/hello", { headers: { authorization: `Bearer ${other.anonKeyAsymmetric}` } })).toEqual({ status: 401, type: "application/json", body: { msg: "Invalid JWT" } });
            const { handler } = loadRouter({ JWT_SECRET: SECRET, VERIFY_JWT: "true" });
            expect(await call(handler, "/hello", { headers: { authorization: `Bearer ${keys.anonKeyAsymmetric}` } })).toMatchObject({ status: 401 });
        });
    });

    describe("what a user function sees of the environment", () => {
        const ENV = {
            JWT_SECRET: SECRET,
            SUPABASE_JWKS: "{\"keys\":[]}",
            VERIFY_JWT: "false",
            SUPABASE_URL: "http://kong:8000",
            SUPABASE_PUBLIC_URL: "https://api.acme.example.com",
            SUPABASE_ANON_KEY: "anon-key",
            SUPABASE_PUBLISHABLE_KEYS: '{"default":"sb_publishable_x"}',
            SUPABASE_SERVICE_ROLE_KEY: "service-role-key",
            SUPABASE_SECRET_KEYS: '{"default":"sb_secret_x"}',
            SUPABASE_DB_URL: "postgresql://postgres:pw@db:5432/postgres",
            HOSTNAME: "functions",
        };
        const envOf = async (env: Record<string, string>) => {
            const { handler, workers } = loadRouter(env);
            expect(await call(handler, "/hello")).toMatchObject({ status: 200 });
            return Object.fromEntries(workers[0]!.envVars);
        };

        it("by default: only the public URL and keys; never the JWT secret, the key set, the admin credentials or anything else", async () => {
            expect(await envOf(ENV)).toEqual(Object.fromEntries(FUNCTION_PUBLIC_ENV.map((name) => [name, ENV[name]])));
        });

        it("with FUNCTIONS_ADMIN_ACCESS=true: the admin credentials too, still never the JWT secret or the key set", async () => {
            const seen = await envOf({ ...ENV, FUNCTIONS_ADMIN_ACCESS: "true" });
            expect(Object.keys(seen).sort()).toEqual([...FUNCTION_PUBLIC_ENV, ...FUNCTION_ADMIN_ENV].sort());
            expect(seen.SUPABASE_DB_URL).toBe(ENV.SUPABASE_DB_URL);
        });

        it("leaves out what the container does not have (a feb-2026 tenant has no opaque keys)", async () => {
            const { SUPABASE_PUBLISHABLE_KEYS: _p, ...feb } = ENV;
            expect(Object.keys(await envOf(feb))).not.toContain("SUPABASE_PUBLISHABLE_KEYS");
        });
    });
});
