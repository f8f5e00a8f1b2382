/** functions: the edge runtime, serving the functions on the functions volume. */
import { INTERNAL_PORTS } from "../catalog.js";
import { FUNCTIONS_ROOT } from "../files/mainEdgeFunction.js";
import { INTERNAL_KONG_URL, boolText, databaseUrl, healthCheck } from "./shared.js";
import type { ServiceModule } from "./types.js";


export const functions: ServiceModule = {
    service: "functions",
    // The database URL is only used when a function runs, so the runtime does not wait for db.
    dependsOn: [],
    define: (context) => ({
        env: {
            JWT_SECRET: context.secrets.jwtSecret,
            SUPABASE_URL: INTERNAL_KONG_URL,
            SUPABASE_PUBLIC_URL: context.apiUrl,
            SUPABASE_ANON_KEY: context.secrets.anonKey,
            SUPABASE_SERVICE_ROLE_KEY: context.secrets.serviceRoleKey,
            SUPABASE_DB_URL: databaseUrl(context, { scheme: "postgresql", user: "postgres" }),
            VERIFY_JWT: boolText(context.settings.functionsVerifyJwt),
        },
        command: ["start", "--main-service", `${FUNCTIONS_ROOT}/main`],
        // The runtime has no health endpoint of its own: a TCP connect to its port is the check.
        healthcheck: healthCheck(["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${INTERNAL_PORTS.functions}`]),
        volumes: [
            { volume: "functions", containerPath: FUNCTIONS_ROOT },
            { volume: "deno-cache", containerPath: "/root/.cache/deno" },
        ],
        uploads: [{ path: context.files.mainEdgeFunction.path, content: context.files.mainEdgeFunction.content }],
        publishedPorts: [],
        waitTimeoutSeconds: 60,
    }),
};
