/**
 * The edge runtime's main service (`start --main-service /home/deno/functions/main`): routes
 * `/<name>/...` to a worker running `/home/deno/functions/<name>`, after checking the caller's JWT
 * when VERIFY_JWT is "true": HS256 tokens against JWT_SECRET, and from 0.8.2 on ES256 tokens (auth
 * signs sessions with the EC key then) against the public keys of SUPABASE_JWKS. It runs in Deno
 * inside the functions container, never here. A user function's worker gets an allowlist of the
 * container's environment: never the JWT secret or the key set that holds it, and the admin
 * credentials only with FUNCTIONS_ADMIN_ACCESS=true.
 */

export const FUNCTIONS_ROOT = "/home/deno/functions";
export const MAIN_EDGE_FUNCTION_DIR = `${FUNCTIONS_ROOT}/main`;
export const MAIN_EDGE_FUNCTION_PATH = `${MAIN_EDGE_FUNCTION_DIR}/index.ts`;
/** Environment variables of the functions container the router reads itself. */
export const MAIN_EDGE_FUNCTION_ENV = ["FUNCTIONS_ADMIN_ACCESS", "JWT_SECRET", "SUPABASE_JWKS", "VERIFY_JWT"] as const;
/** What every user function sees of the container's environment: public values only. */
export const FUNCTION_PUBLIC_ENV = ["SUPABASE_URL", "SUPABASE_PUBLIC_URL", "SUPABASE_ANON_KEY", "SUPABASE_PUBLISHABLE_KEYS"] as const;
/** Added only where the tenant allows it (functionsAdminAccess): every right on the tenant's data. */
export const FUNCTION_ADMIN_ENV = ["SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_SECRET_KEYS", "SUPABASE_DB_URL"] as const;
/** Imported by the Deno file inside the container; nothing here fetches it. */
export const JOSE_MODULE_URL = "https://deno.land/x/jose@v4.14.4/index.ts";

// String.raw keeps the regular expressions' backslashes; the source uses no template literals.
export const MAIN_EDGE_FUNCTION_SOURCE = String.raw`// Rendered by supabase-fleet: routes /<name>/... to the function in /home/deno/functions/<name>.
import * as jose from "JOSE_MODULE_URL";

const FUNCTIONS_ROOT = "/home/deno/functions";
const VERIFY_JWT = Deno.env.get("VERIFY_JWT") === "true";
const JWT_SECRET = Deno.env.get("JWT_SECRET") ?? "";
// The key set's asymmetric keys (its HS256 entry is JWT_SECRET again); unset before 0.8.2.
const JWKS_TEXT = Deno.env.get("SUPABASE_JWKS") ?? "";
const PUBLIC_KEYS = JWKS_TEXT === "" ? null : jose.createLocalJWKSet({ keys: JSON.parse(JWKS_TEXT).keys.filter((key: { kty: string }) => key.kty !== "oct") });
const FORWARDED_ENV = FORWARDED_PUBLIC.concat(Deno.env.get("FUNCTIONS_ADMIN_ACCESS") === "true" ? FORWARDED_ADMIN : []);
// One path segment of plain characters: no "..", no encoded slashes, never the router itself.
const FUNCTION_NAME = /^[A-Za-z0-9_-]+$/;

function jsonError(status: number, message: string): Response {
  return new Response(JSON.stringify({ msg: message }), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

function bearerToken(request: Request): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  return match ? match[1] : null;
}

/** A response refusing the request, or null when it may go on. */
async function rejectUnverified(request: Request): Promise<Response | null> {
  if (!VERIFY_JWT || request.method === "OPTIONS") return null;
  if (JWT_SECRET === "") {
    console.error("main: VERIFY_JWT is true but JWT_SECRET is empty");
    return jsonError(500, "JWT verification is not configured");
  }
  const token = bearerToken(request);
  if (token === null) return jsonError(401, "Missing authorization header: expected 'Bearer <JWT>'");
  try {
    const { alg } = jose.decodeProtectedHeader(token);
    if (alg === "HS256") await jose.jwtVerify(token, new TextEncoder().encode(JWT_SECRET), { algorithms: ["HS256"] });
    else if (PUBLIC_KEYS !== null) await jose.jwtVerify(token, PUBLIC_KEYS, { algorithms: ["ES256"] });
    else throw new Error("unsupported algorithm " + alg);
    return null;
  } catch (error) {
    console.error("main: JWT rejected:", error instanceof Error ? error.message : String(error));
    return jsonError(401, "Invalid JWT");
  }
}

Deno.serve(async (request: Request) => {
  const rejected = await rejectUnverified(request);
  if (rejected !== null) return rejected;

  const name = new URL(request.url).pathname.split("/")[1] ?? "";
  if (name === "") return jsonError(400, "Missing function name in request path");
  if (!FUNCTION_NAME.test(name) || name === "main") return jsonError(404, "Function not found: " + name);

  try {
    const worker = await EdgeRuntime.userWorkers.create({
      servicePath: FUNCTIONS_ROOT + "/" + name,
      memoryLimitMb: 150,
      workerTimeoutMs: 60 * 1000,
      noModuleCache: false,
      importMapPath: null,
      envVars: FORWARDED_ENV.filter((key) => Deno.env.get(key) !== undefined).map((key) => [key, Deno.env.get(key) ?? ""]),
    });
    return await worker.fetch(request);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error("main: function " + name + " failed:", reason);
    return jsonError(500, "Function " + name + " failed: " + reason);
  }
});
`
    .replace("JOSE_MODULE_URL", JOSE_MODULE_URL)
    .replace("FORWARDED_PUBLIC", JSON.stringify(FUNCTION_PUBLIC_ENV))
    .replace("FORWARDED_ADMIN", JSON.stringify(FUNCTION_ADMIN_ENV));
