/** functions: the edge runtime, serving the functions on the functions volume. */
import { INTERNAL_PORTS } from "../catalog.js";
import { FUNCTIONS_ROOT } from "../files/mainEdgeFunction.js";
import { isAtLeast } from "../releases.js";
import { asymmetricKeyEnv, boolText, databaseUrl, defaultKeyJson, healthCheck, internalGatewayUrl } from "./shared.js";
import type { ServiceModule } from "./types.js";

// The runtime has no health endpoint of its own: a TCP connect to its port is the check.
const PORT_OPEN = `</dev/tcp/127.0.0.1/${INTERNAL_PORTS.functions}`;

export const functions: ServiceModule = {
    service: "functions",
    // The database URL is only used when a function runs, so the runtime does not wait for db. From
    // 0.8.2 on it waits for the gateway, as upstream's does (functions call each other through it).
    dependsOn: (release) => (isAtLeast(release, "0.8.2") ? ["kong"] : []),
    define: (context) => ({
        env: {
            JWT_SECRET: context.secrets.jwtSecret,
            SUPABASE_URL: internalGatewayUrl(context.release),
            SUPABASE_PUBLIC_URL: context.apiUrl,
            SUPABASE_ANON_KEY: context.secrets.anonKey,
            SUPABASE_SERVICE_ROLE_KEY: context.secrets.serviceRoleKey,
            // 0.8.2: ES256 tokens verify against the key set; functions see the opaque keys by name.
            ...asymmetricKeyEnv(context, {
                SUPABASE_JWKS: (keys) => keys.jwtJwks,
                SUPABASE_PUBLISHABLE_KEYS: (keys) => defaultKeyJson(keys.publishableKey),
                SUPABASE_SECRET_KEYS: (keys) => defaultKeyJson(keys.secretKey),
            }),
            SUPABASE_DB_URL: databaseUrl(context, { scheme: "postgresql", user: "postgres" }),
            VERIFY_JWT: boolText(context.settings.functionsVerifyJwt),
            // The main function forwards the admin credentials to user functions only when this is true.
            FUNCTIONS_ADMIN_ACCESS: boolText(context.settings.functionsAdminAccess),
        },
        command: ["start", "--main-service", `${FUNCTIONS_ROOT}/main`],
        healthcheck: isAtLeast(context.release, "0.8.2")
            ? healthCheck(["CMD-SHELL", `timeout 1 bash -c '${PORT_OPEN}'`], { interval: "5s", timeout: "5s", retries: 3 })
            : healthCheck(["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${INTERNAL_PORTS.functions}`]),
        volumes: [
            { volume: "functions", containerPath: FUNCTIONS_ROOT },
            { volume: "deno-cache", containerPath: "/root/.cache/deno" },
        ],
        uploads: [{ path: context.files.mainEdgeFunction.path, content: context.files.mainEdgeFunction.content }],
        publishedPorts: [],
        waitTimeoutSeconds: 60,
    }),
};
