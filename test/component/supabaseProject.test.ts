/**
 * The SupabaseProject component under Pulumi's mocks: what it registers, exactly.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { envMap, installMocks, reveal, settle, isSecretValue, unwrap, type Registration } from "../support/pulumiHarness.js";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const PROVIDER = "pulumi:providers:docker";
const COMPONENT = "supabase-fleet:index:SupabaseProject";
const COMMAND = "command:local:Command";

const ALL_SERVICES = ["db", "vector", "analytics", "kong", "auth", "rest", "realtime", "storage", "imgproxy", "meta", "functions", "studio", "supavisor"];

/** Builds one project from raw settings, exactly as index.ts does, and returns what was registered. */
async function buildProject(raw: Record<string, unknown>, name?: string) {
    const run = await installMocks();
    const { parseTenantConfig } = await import("../../components/config/load.js");
    const { splitSecrets } = await import("../../components/config/secrets.js");
    const { SupabaseProject } = await import("../../components/supabaseProject.js");
    const { settings, secretInputs } = splitSecrets(parseTenantConfig(raw, "test"));
    const options = new Map<string, ResourceOptionsSeen>();
    const project = new SupabaseProject(
        name ?? settings.ref,
        { settings, secrets: secretInputs },
        {
            // Resource options never reach the mocks; a (legacy) transformation sees them for every child.
            transformations: [
                (args) => {
                    const dependsOn = ([] as unknown[]).concat(args.opts.dependsOn ?? []) as { __name?: string }[];
                    options.set(`${args.type}::${args.name}`, {
                        dependsOn: dependsOn.map((r) => (r as unknown as { __name: string }).__name).filter(Boolean).sort(),
                        deleteBeforeReplace: (args.opts as { deleteBeforeReplace?: boolean }).deleteBeforeReplace ?? false,
                        replaceOnChanges: args.opts.replaceOnChanges ?? [],
                        retainOnDelete: args.opts.retainOnDelete ?? false,
                        ignoreChanges: args.opts.ignoreChanges ?? [],
                    });
                    return undefined;
                },
            ],
        },
    );
    await settle(project);
    return { project, registrations: run.registrations, options };
}

interface ResourceOptionsSeen {
    dependsOn: string[];
    deleteBeforeReplace: boolean;
    replaceOnChanges: string[];
    retainOnDelete: boolean;
    ignoreChanges: string[];
}

const byType = (registrations: Registration[], type: string) => registrations.filter((r) => r.type === type);
const container = (registrations: Registration[], name: string) => {
    const found = registrations.find((r) => r.type === CONTAINER && r.name === name);
    if (!found) throw new Error(`no container ${name}`);
    return found;
};

const DEV = { ref: "dev", authEmailAutoconfirm: true };

describe("SupabaseProject with default settings", () => {
    let registrations: Registration[];
    let project: Awaited<ReturnType<typeof buildProject>>["project"];
    let options: Map<string, ResourceOptionsSeen>;
    beforeAll(async () => {
        ({ registrations, project, options } = await buildProject(DEV));
    });

    it("registers exactly the expected resources", () => {
        const counts = Object.fromEntries([COMPONENT, PROVIDER, PASSWORD, NETWORK, VOLUME, IMAGE, CONTAINER, COMMAND].map((t) => [t, byType(registrations, t).length]));
        expect(counts).toEqual({ [COMPONENT]: 1, [PROVIDER]: 1, [PASSWORD]: 12, [NETWORK]: 1, [VOLUME]: 6, [IMAGE]: 13, [CONTAINER]: 13, [COMMAND]: 4 });
        expect(registrations.length).toBe(51);
        expect(byType(registrations, CONTAINER).map((r) => r.name).sort()).toEqual(ALL_SERVICES.map((s) => `dev-${s}`).sort());
    });

    // A stack without a release setting: written out in full, so that a change of the default release
    // for new tenants (or of this release's set) cannot move such a stack unnoticed.
    it("runs the feb-2026 images when the stack sets no release, and keeps images on destroy", () => {
        const images = Object.fromEntries(byType(registrations, CONTAINER).map((r) => [r.name.replace("dev-", ""), r.inputs.image]));
        expect(images).toEqual({
            db: "supabase/postgres:15.8.1.085",
            vector: "timberio/vector:0.53.0-alpine",
            analytics: "supabase/logflare:1.31.2",
            kong: "kong:2.8.1",
            auth: "supabase/gotrue:v2.186.0",
            rest: "postgrest/postgrest:v14.5",
            realtime: "supabase/realtime:v2.78.15",
            storage: "supabase/storage-api:v1.44.2",
            imgproxy: "darthsim/imgproxy:v3.30.1",
            meta: "supabase/postgres-meta:v0.95.2",
            functions: "supabase/edge-runtime:v1.70.3",
            studio: "supabase/studio:2026.02.16-sha-26c615c",
            supavisor: "supabase/supavisor:2.7.4",
        });
        for (const image of byType(registrations, IMAGE)) expect(image.inputs.keepLocally).toBe(true);
    });

    it("gives every container its alias on the tenant network, its labels, restart policy and limits", () => {
        for (const service of ALL_SERVICES) {
            const inputs = container(registrations, `dev-${service}`).inputs;
            const alias = service === "realtime" ? "realtime-dev.supabase-realtime" : service;
            expect(inputs.name).toBe(`dev-${service}`);
            expect(inputs.networksAdvanced).toEqual([{ name: "dev-network", aliases: [alias] }]);
            expect(inputs.labels).toEqual([
                { label: "supabase-fleet.managed-by", value: "pulumi" },
                { label: "supabase-fleet.service", value: service },
                { label: "supabase-fleet.tenant", value: "dev" },
            ]);
            expect(inputs.restart).toBe("unless-stopped");
            expect(typeof inputs.memory).toBe("number");
            expect(inputs.wait).toBe(true);
            expect(inputs.mustRun).toBe(true);
        }
        expect(container(registrations, "dev-db").inputs.memory).toBe(2048);
        // In the form the provider reads back, so that the next preview shows no change.
        expect(container(registrations, "dev-db").inputs.cpus).toBe("2.0");
        expect(container(registrations, "dev-db").inputs.memorySwap).toBe(2048);
    });

    it("labels the network and every volume with the tenant", () => {
        const network = byType(registrations, NETWORK)[0]!;
        expect(network.inputs).toMatchObject({ name: "dev-network", driver: "bridge" });
        expect(network.inputs.labels).toEqual([
            { label: "supabase-fleet.managed-by", value: "pulumi" },
            { label: "supabase-fleet.tenant", value: "dev" },
        ]);
        const volumes = byType(registrations, VOLUME);
        expect(volumes.map((v) => v.inputs.name).sort()).toEqual(
            ["dev-db-config", "dev-db-data", "dev-deno-cache", "dev-functions", "dev-storage", "dev-studio-snippets"],
        );
        for (const volume of volumes) expect(volume.inputs.labels).toEqual(network.inputs.labels);
    });

    it("publishes host ports only from kong and supavisor, on the bind address", () => {
        const published = Object.fromEntries(
            byType(registrations, CONTAINER)
                .filter((r) => Array.isArray(r.inputs.ports) && (r.inputs.ports as unknown[]).length > 0)
                .map((r) => [r.name, r.inputs.ports]),
        );
        expect(published).toEqual({
            "dev-kong": [
                { internal: 8000, external: 8000, ip: "127.0.0.1", protocol: "tcp" },
                { internal: 8443, external: 8443, ip: "127.0.0.1", protocol: "tcp" },
            ],
            "dev-supavisor": [
                { internal: 5432, external: 5432, ip: "127.0.0.1", protocol: "tcp" },
                { internal: 6543, external: 6543, ip: "127.0.0.1", protocol: "tcp" },
            ],
        });
    });

    it("mounts the named volumes where each service keeps its state", () => {
        const mounts = (service: string) =>
            (container(registrations, `dev-${service}`).inputs.volumes as Record<string, unknown>[]).map((v) => `${v.volumeName ?? v.hostPath}:${v.containerPath}${v.readOnly ? ":ro" : ""}`);
        expect(mounts("db")).toEqual(["dev-db-data:/var/lib/postgresql/data", "dev-db-config:/etc/postgresql-custom"]);
        expect(mounts("storage")).toEqual(["dev-storage:/var/lib/storage"]);
        expect(mounts("imgproxy")).toEqual(["dev-storage:/var/lib/storage"]);
        expect(mounts("functions")).toEqual(["dev-functions:/home/deno/functions", "dev-deno-cache:/root/.cache/deno"]);
        expect(mounts("studio")).toEqual(["dev-studio-snippets:/app/snippets", "dev-functions:/app/edge-functions"]);
        // Vector gets the tenant's log folder, where the daemon sends the tenant's lines; no container gets the Docker socket.
        expect(mounts("vector")).toEqual(["/run/supabase-fleet/dev:/var/run/supabase-fleet-logs"]);
        for (const service of ["kong", "auth", "rest", "realtime", "meta", "analytics", "supavisor"]) expect(mounts(service)).toEqual([]);
        for (const service of ALL_SERVICES) expect(JSON.stringify(container(registrations, `dev-${service}`).inputs.volumes ?? []), service).not.toContain("docker.sock");
    });

    it("sends every container's logs but vector's to the tenant's log socket through the daemon's fluentd driver", () => {
        for (const service of ALL_SERVICES.filter((s) => s !== "vector")) {
            const inputs = container(registrations, `dev-${service}`).inputs;
            expect([inputs.logDriver, inputs.logOpts], service).toEqual(["fluentd", { "fluentd-address": "unix:///run/supabase-fleet/dev/fluent.sock", "fluentd-async": "true", tag: "{{.Name}}" }]);
        }
        // Vector's own lines would come back to it.
        expect(container(registrations, "dev-vector").inputs.logDriver).toBeUndefined();
    });

    it("runs each service with the command the reference gives, and the uploads it needs", async () => {
        const { kongEntrypoint, KONG_DECLARATIVE_CONFIG, KONG_TEMPLATE_PLACEHOLDERS } = await import("../../components/files/index.js");
        const { RELEASES } = await import("../../components/releases.js");
        const commands = Object.fromEntries(ALL_SERVICES.map((s) => [s, container(registrations, `dev-${s}`).inputs.command ?? null]));
        expect(commands).toEqual({
            db: ["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf", "-c", "log_min_messages=fatal"],
            vector: null,
            analytics: null, kong: null, auth: null,
            rest: ["postgrest"],
            realtime: null, storage: null, imgproxy: null, meta: null,
            functions: ["start", "--main-service", "/home/deno/functions/main"],
            studio: null,
            supavisor: ["sh", "-c", '/app/bin/migrate && /app/bin/supavisor eval "$(cat /etc/pooler/pooler.exs)" && exec /app/bin/server'],
        });
        expect(container(registrations, "dev-kong").inputs.entrypoints).toEqual([...kongEntrypoint(RELEASES["feb-2026"])]);
        // Vector first removes a socket its last run may have left (it would keep the new one from listening).
        expect(container(registrations, "dev-vector").inputs.entrypoints).toEqual(["/bin/sh", "-c", "rm -f /var/run/supabase-fleet-logs/fluent.sock && exec vector --config /etc/vector/vector.yml"]);
        const uploads = Object.fromEntries(ALL_SERVICES.map((s) => [s, (container(registrations, `dev-${s}`).inputs.uploads as { file: string }[]).map((u) => u.file)]));
        expect(uploads).toEqual({
            db: [
                "/docker-entrypoint-initdb.d/init-scripts/98-webhooks.sql", "/docker-entrypoint-initdb.d/init-scripts/99-jwt.sql",
                "/docker-entrypoint-initdb.d/init-scripts/99-roles.sql", "/docker-entrypoint-initdb.d/migrations/97-_supabase.sql",
                "/docker-entrypoint-initdb.d/migrations/99-logs.sql", "/docker-entrypoint-initdb.d/migrations/99-pooler.sql",
                "/docker-entrypoint-initdb.d/migrations/99-realtime.sql",
            ],
            vector: ["/etc/vector/vector.yml"], analytics: [], kong: [KONG_DECLARATIVE_CONFIG.templatePath], auth: [], rest: [], realtime: [],
            storage: [], imgproxy: [], meta: [], functions: ["/home/deno/functions/main/index.ts"], studio: [], supavisor: ["/etc/pooler/pooler.exs"],
        });
        // Every placeholder of the Kong template is an env var of the kong container.
        const kongEnv = envMap(container(registrations, "dev-kong").inputs.envs);
        for (const name of KONG_TEMPLATE_PLACEHOLDERS) expect(kongEnv[name], name).toBeTruthy();
        // The expanded config (with the keys) is written to memory only; the template is outside that mount, or the mount would hide it.
        const tmpfs = container(registrations, "dev-kong").inputs.tmpfs as Record<string, string>;
        expect(Object.keys(tmpfs)).toEqual(["/home/kong"]);
        expect(kongEnv.KONG_DECLARATIVE_CONFIG!.startsWith("/home/kong/")).toBe(true);
        expect(KONG_DECLARATIVE_CONFIG.templatePath.startsWith("/home/kong/")).toBe(false);
        for (const other of ALL_SERVICES.filter((s) => s !== "kong")) expect(container(registrations, `dev-${other}`).inputs.tmpfs, other).toBeUndefined();
    });

    it("gives every service a health check", () => {
        const checks = Object.fromEntries(ALL_SERVICES.map((s) => [s, (container(registrations, `dev-${s}`).inputs.healthcheck as { tests: string[] }).tests]));
        expect(checks.db).toEqual(["CMD", "pg_isready", "-U", "postgres", "-h", "localhost"]);
        expect(checks.kong).toEqual(["CMD", "kong", "health"]);
        expect(checks.rest).toEqual(["CMD", "postgrest", "--ready"]);
        expect(checks.imgproxy).toEqual(["CMD", "imgproxy", "health"]);
        expect(checks.auth).toEqual(["CMD", "wget", "--no-verbose", "--tries=1", "--spider", "http://localhost:9999/health"]);
        expect(checks.storage).toEqual(["CMD", "wget", "--no-verbose", "--tries=1", "--spider", "http://localhost:5000/status"]);
        expect(checks.vector).toEqual(["CMD", "wget", "--no-verbose", "--tries=1", "--spider", "http://vector:9001/health"]);
        expect(checks.analytics).toEqual(["CMD", "curl", "--fail", "http://localhost:4000/health"]);
        expect(checks.supavisor).toEqual(["CMD", "curl", "-sSfL", "--head", "-o", "/dev/null", "http://127.0.0.1:4000/api/health"]);
        expect(checks.realtime[0]).toBe("CMD-SHELL");
        expect(checks.realtime[1]).toContain("http://localhost:4000/api/tenants/realtime-dev/health");
        expect(checks.realtime[1]).toContain("Bearer $SUPABASE_ANON_KEY");
        expect(checks.meta.slice(0, 3)).toEqual(["CMD", "node", "-e"]);
        expect(checks.meta[3]).toContain("http://localhost:8080/health");
        expect(checks.studio[3]).toContain("http://localhost:3000/api/platform/profile");
        expect(checks.functions).toEqual(["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9000"]);
        const db = container(registrations, "dev-db").inputs.healthcheck as Record<string, unknown>;
        expect(db).toEqual({ tests: checks.db, interval: "5s", timeout: "5s", retries: 10 });
    });

    it("sets each service's environment names exactly, with the constants of the reference", () => {
        const names = (service: string) => Object.keys(envMap(container(registrations, `dev-${service}`).inputs.envs));
        expect(names("db")).toEqual(["JWT_EXP", "JWT_SECRET", "PGDATABASE", "PGPASSWORD", "PGPORT", "POSTGRES_DB", "POSTGRES_HOST", "POSTGRES_PASSWORD", "POSTGRES_PORT"]);
        expect(names("vector")).toEqual(["LOGFLARE_PUBLIC_ACCESS_TOKEN"]);
        expect(names("kong")).toEqual([
            "DASHBOARD_PASSWORD", "DASHBOARD_USERNAME", "KONG_DATABASE", "KONG_DECLARATIVE_CONFIG", "KONG_DNS_ORDER",
            "KONG_NGINX_PROXY_PROXY_BUFFERS", "KONG_NGINX_PROXY_PROXY_BUFFER_SIZE", "KONG_PLUGINS", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_KEY",
        ]);
        expect(names("rest")).toEqual([
            "PGRST_ADMIN_SERVER_HOST", "PGRST_ADMIN_SERVER_PORT", "PGRST_APP_SETTINGS_JWT_EXP", "PGRST_APP_SETTINGS_JWT_SECRET", "PGRST_DB_ANON_ROLE", "PGRST_DB_EXTRA_SEARCH_PATH",
            "PGRST_DB_MAX_ROWS", "PGRST_DB_SCHEMAS", "PGRST_DB_URI", "PGRST_DB_USE_LEGACY_GUCS", "PGRST_JWT_SECRET",
        ]);
        expect(names("meta")).toEqual(["CRYPTO_KEY", "PG_META_DB_HOST", "PG_META_DB_NAME", "PG_META_DB_PASSWORD", "PG_META_DB_PORT", "PG_META_DB_USER", "PG_META_PORT"]);
        expect(names("imgproxy")).toEqual(["IMGPROXY_BIND", "IMGPROXY_ENABLE_WEBP_DETECTION", "IMGPROXY_LOCAL_FILESYSTEM_ROOT", "IMGPROXY_MAX_SRC_RESOLUTION", "IMGPROXY_USE_ETAG"]);
        expect(names("functions")).toEqual(["FUNCTIONS_ADMIN_ACCESS", "JWT_SECRET", "SUPABASE_ANON_KEY", "SUPABASE_DB_URL", "SUPABASE_PUBLIC_URL", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_URL", "VERIFY_JWT"]);
        expect(names("auth")).toEqual([
            "API_EXTERNAL_URL", "GOTRUE_API_HOST", "GOTRUE_API_PORT", "GOTRUE_DB_DATABASE_URL", "GOTRUE_DB_DRIVER", "GOTRUE_DISABLE_SIGNUP",
            "GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED", "GOTRUE_EXTERNAL_EMAIL_ENABLED", "GOTRUE_EXTERNAL_PHONE_ENABLED", "GOTRUE_JWT_ADMIN_ROLES",
            "GOTRUE_JWT_AUD", "GOTRUE_JWT_DEFAULT_GROUP_NAME", "GOTRUE_JWT_EXP", "GOTRUE_JWT_SECRET", "GOTRUE_MAILER_AUTOCONFIRM",
            "GOTRUE_MAILER_URLPATHS_CONFIRMATION", "GOTRUE_MAILER_URLPATHS_EMAIL_CHANGE", "GOTRUE_MAILER_URLPATHS_INVITE", "GOTRUE_MAILER_URLPATHS_RECOVERY",
            "GOTRUE_SITE_URL", "GOTRUE_SMS_AUTOCONFIRM", "GOTRUE_SMTP_ADMIN_EMAIL", "GOTRUE_SMTP_SENDER_NAME", "GOTRUE_URI_ALLOW_LIST",
        ]);
        expect(names("supavisor")).toEqual([
            "API_JWT_SECRET", "CLUSTER_POSTGRES", "DATABASE_URL", "DB_POOL_SIZE", "ERL_AFLAGS", "METRICS_JWT_SECRET", "POOLER_DEFAULT_POOL_SIZE",
            "POOLER_MAX_CLIENT_CONN", "POOLER_POOL_MODE", "POOLER_TENANT_ID", "PORT", "POSTGRES_DB", "POSTGRES_PASSWORD", "POSTGRES_PORT", "REGION",
            "SECRET_KEY_BASE", "VAULT_ENC_KEY",
        ]);

        const env = (service: string) => envMap(container(registrations, `dev-${service}`).inputs.envs);
        expect(env("kong")).toMatchObject({ KONG_DATABASE: "off", KONG_DECLARATIVE_CONFIG: "/home/kong/kong.yml", KONG_DNS_ORDER: "LAST,A,CNAME", DASHBOARD_USERNAME: "supabase" });
        expect(env("rest")).toMatchObject({ PGRST_DB_SCHEMAS: "public,storage,graphql_public", PGRST_DB_ANON_ROLE: "anon", PGRST_ADMIN_SERVER_PORT: "3001", PGRST_ADMIN_SERVER_HOST: "localhost" });
        expect(env("realtime")).toMatchObject({ SEED_SELF_HOST: "true", DB_AFTER_CONNECT_QUERY: "SET search_path TO _realtime", APP_NAME: "realtime", PORT: "4000" });
        expect(env("storage")).toMatchObject({ STORAGE_BACKEND: "file", FILE_STORAGE_BACKEND_PATH: "/var/lib/storage", IMGPROXY_URL: "http://imgproxy:5001", POSTGREST_URL: "http://rest:3000", TENANT_ID: "dev" });
        expect(env("supavisor")).toMatchObject({ POOLER_TENANT_ID: "dev", POOLER_POOL_MODE: "transaction", POOLER_DEFAULT_POOL_SIZE: "20", POOLER_MAX_CLIENT_CONN: "100" });
        expect(env("auth")).toMatchObject({ API_EXTERNAL_URL: "http://localhost:8000", GOTRUE_SITE_URL: "http://localhost:3000", GOTRUE_MAILER_AUTOCONFIRM: "true", GOTRUE_JWT_EXP: "3600" });
        expect(env("studio")).toMatchObject({ STUDIO_PG_META_URL: "http://meta:8080", SUPABASE_URL: "http://kong:8000", LOGFLARE_URL: "http://analytics:4000", NEXT_PUBLIC_ENABLE_LOGS: "true", HOSTNAME: "0.0.0.0" });
        expect(env("db")).toMatchObject({ POSTGRES_HOST: "/var/run/postgresql", POSTGRES_DB: "postgres", JWT_EXP: "3600" });
    });

    it("gives every JWT consumer the same JWT secret, and every password user the same password", async () => {
        const jwtSecret = await unwrap(project.jwtSecret);
        const consumers: [string, string][] = [
            ["auth", "GOTRUE_JWT_SECRET"], ["rest", "PGRST_JWT_SECRET"], ["rest", "PGRST_APP_SETTINGS_JWT_SECRET"], ["realtime", "API_JWT_SECRET"],
            ["realtime", "METRICS_JWT_SECRET"], ["storage", "PGRST_JWT_SECRET"], ["functions", "JWT_SECRET"], ["studio", "AUTH_JWT_SECRET"],
            ["db", "JWT_SECRET"],
        ];
        for (const [service, key] of consumers) expect(envMap(container(registrations, `dev-${service}`).inputs.envs)[key], `${service} ${key}`).toBe(jwtSecret);
        expect(jwtSecret.length).toBe(64);
        // Nothing else holds it: the pooler, which never checks a user's token, verifies its own API with a secret of its own.
        const holders = byType(registrations, CONTAINER).flatMap((r) =>
            Object.entries(envMap(r.inputs.envs)).filter(([, value]) => value.includes(jwtSecret)).map(([key]) => `${r.name.replace("dev-", "")} ${key}`),
        );
        expect(holders.sort()).toEqual(consumers.map(([service, key]) => `${service} ${key}`).sort());
        const pooler = envMap(container(registrations, "dev-supavisor").inputs.envs);
        expect(pooler.API_JWT_SECRET).toHaveLength(64);
        expect(pooler.METRICS_JWT_SECRET).toBe(pooler.API_JWT_SECRET);

        const dbEnv = envMap(container(registrations, "dev-db").inputs.envs);
        const password = dbEnv.POSTGRES_PASSWORD!;
        expect(envMap(container(registrations, "dev-rest").inputs.envs).PGRST_DB_URI).toBe(`postgres://authenticator:${password}@db:5432/postgres`);
        expect(envMap(container(registrations, "dev-auth").inputs.envs).GOTRUE_DB_DATABASE_URL).toBe(`postgres://supabase_auth_admin:${password}@db:5432/postgres`);
        expect(envMap(container(registrations, "dev-supavisor").inputs.envs).DATABASE_URL).toBe(`ecto://supabase_admin:${password}@db:5432/_supabase`);
        expect(envMap(container(registrations, "dev-meta").inputs.envs).CRYPTO_KEY).toBe(envMap(container(registrations, "dev-studio").inputs.envs).PG_META_CRYPTO_KEY);
    });

    it("signs anon and service-role keys that verify against the JWT secret, with fixed claims", async () => {
        const { verifyApiKey } = await import("../../components/apiKeys.js");
        const jwtSecret = await unwrap(project.jwtSecret);
        const anon = await unwrap(project.anonKey);
        const service = await unwrap(project.serviceRoleKey);
        expect(await verifyApiKey(anon, jwtSecret)).toEqual({ role: "anon", iss: "supabase", iat: 1767225600, exp: 2082758400 });
        expect(await verifyApiKey(service, jwtSecret)).toEqual({ role: "service_role", iss: "supabase", iat: 1767225600, exp: 2082758400 });
        await expect(verifyApiKey(anon, "x".repeat(64))).rejects.toThrow();
        const kong = envMap(container(registrations, "dev-kong").inputs.envs);
        expect([kong.SUPABASE_ANON_KEY, kong.SUPABASE_SERVICE_KEY]).toEqual([anon, service]);
        const storage = envMap(container(registrations, "dev-storage").inputs.envs);
        expect([storage.ANON_KEY, storage.SERVICE_KEY]).toEqual([anon, service]);
    });

    it("keeps every secret a secret: outputs, and the environment of every container that carries one", async () => {
        const pulumi = await import("@pulumi/pulumi");
        for (const output of [project.jwtSecret, project.serviceRoleKey, project.dashboardPassword, project.postgresDirectUrl, project.postgresSessionUrl, project.postgresPoolerUrl]) {
            expect(await pulumi.isSecret(output)).toBe(true);
        }
        expect(await pulumi.isSecret(project.anonKey)).toBe(false); // public by design
        for (const service of ALL_SERVICES.filter((s) => s !== "imgproxy")) {
            expect(isSecretValue(container(registrations, `dev-${service}`).inputs.envs), service).toBe(true);
        }
        expect(isSecretValue(container(registrations, "dev-imgproxy").inputs.envs)).toBe(false);
        // Nothing else a container declares may carry a secret value.
        const jwtSecret = await unwrap(project.jwtSecret);
        const password = envMap(container(registrations, "dev-db").inputs.envs).POSTGRES_PASSWORD!;
        // The syncs carry the password and the JWT secret in their environment, as secrets, and nowhere else.
        const sync = registrations.find((r) => r.name === "dev-db-password-sync")!;
        const jwtSync = registrations.find((r) => r.name === "dev-db-jwt-secret-sync")!;
        // (Pulumi marks the whole environment map secret, as one value.)
        expect(isSecretValue(sync.inputs.environment)).toBe(true);
        expect(isSecretValue(jwtSync.inputs.environment)).toBe(true);
        const syncEnvironment = reveal(sync.inputs.environment) as Record<string, unknown>;
        const jwtSyncEnvironment = reveal(jwtSync.inputs.environment) as Record<string, unknown>;
        expect(syncEnvironment.NEW_PGPASSWORD).toBe(password);
        expect(jwtSyncEnvironment.NEW_JWT_SECRET).toBe(jwtSecret);
        for (const registration of registrations) {
            const { envs: _envs, ...rest } = registration.inputs;
            if (registration === sync) rest.environment = { ...syncEnvironment, NEW_PGPASSWORD: undefined };
            if (registration === jwtSync) rest.environment = { ...jwtSyncEnvironment, NEW_JWT_SECRET: undefined };
            const text = JSON.stringify(reveal(rest));
            expect(text.includes(jwtSecret), registration.name).toBe(false);
            expect(text.includes(password), registration.name).toBe(false);
        }
    });

    it("keeps data volumes on destroy and on replacement; the cache volume is not data", () => {
        const retained = Object.fromEntries(byType(registrations, VOLUME).map((v) => [v.name, options.get(`${VOLUME}::${v.name}`)!.retainOnDelete]));
        expect(retained).toEqual({
            "dev-db-data": true, "dev-db-config": true, "dev-storage": true, "dev-functions": true, "dev-studio-snippets": true, "dev-deno-cache": false,
        });
        for (const volume of byType(registrations, VOLUME)) expect(options.get(`${VOLUME}::${volume.name}`)!.ignoreChanges).toEqual(["labels"]);
    });

    it("checks the db data volume for an existing database before the db container is created", async () => {
        const guard = byType(registrations, COMMAND).find((r) => r.name === "dev-db-data-guard");
        const { existingDatabaseCheckScript } = await import("../../components/existingDataGuard.js");
        expect(guard!.name).toBe("dev-db-data-guard");
        expect(guard!.inputs).toEqual({
            create: existingDatabaseCheckScript(),
            interpreter: ["/bin/sh", "-c"],
            environment: { DOCKER_HOST: "unix:///var/run/docker.sock", DB_DATA_VOLUME: "dev-db-data", CHECK_IMAGE: "supabase/postgres:15.8.1.085", REF: "dev" },
        });
        expect(options.get(`${COMMAND}::dev-db-data-guard`)!.dependsOn).toEqual(["dev-db-data", "dev-image-db"]);
        expect(options.get(`${COMMAND}::dev-db-data-guard`)!.ignoreChanges).toEqual(["create", "interpreter", "environment"]);
    });

    it("checks the data directory's Postgres major with the db image, again whenever the image or the major changes", async () => {
        const guard = byType(registrations, COMMAND).find((r) => r.name === "dev-db-major-guard");
        const { postgresMajorCheckScript } = await import("../../components/postgresMajorGuard.js");
        expect(guard!.inputs).toEqual({
            create: postgresMajorCheckScript(),
            interpreter: ["/bin/sh", "-c"],
            environment: { DOCKER_HOST: "unix:///var/run/docker.sock", DB_DATA_VOLUME: "dev-db-data", CHECK_IMAGE: "supabase/postgres:15.8.1.085", POSTGRES_MAJOR: "15", REF: "dev" },
            triggers: ["supabase/postgres:15.8.1.085", 15],
        });
        expect(options.get(`${COMMAND}::dev-db-major-guard`)!.dependsOn).toEqual(["dev-db-data", "dev-image-db"]);
        expect(options.get(`${COMMAND}::dev-db-major-guard`)!.ignoreChanges).toEqual([]);
    });

    it("replaces containers delete-first, and on health-check changes", () => {
        for (const service of ALL_SERVICES) {
            const seen = options.get(`${CONTAINER}::dev-${service}`)!;
            expect(seen.deleteBeforeReplace).toBe(true);
            expect(seen.replaceOnChanges).toEqual(["healthcheck", "init", "tmpfs"]);
        }
    });

    it("creates each container after its image and the containers it waits for", () => {
        const dependsOn = Object.fromEntries(ALL_SERVICES.map((s) => [s, options.get(`${CONTAINER}::dev-${s}`)!.dependsOn]));
        const expected = (service: string, deps: string[]) => [`dev-image-${service}`, ...deps.map((d) => `dev-${d}`)].sort();
        expect(dependsOn).toEqual({
            db: [...expected("db", []), "dev-db-data-guard", "dev-db-major-guard", "dev-db-password-sync", "dev-db-jwt-secret-sync"].sort(), vector: expected("vector", []), analytics: expected("analytics", ["db"]), kong: expected("kong", []),
            auth: expected("auth", ["db"]), rest: expected("rest", ["db"]), realtime: expected("realtime", ["db"]),
            storage: expected("storage", ["db", "rest", "imgproxy"]), imgproxy: expected("imgproxy", []), meta: expected("meta", ["db"]),
            functions: expected("functions", []), studio: expected("studio", []), supavisor: expected("supavisor", ["db"]),
        });
    });

    it("returns the outputs a stack exports", async () => {
        expect(project.apiUrl).toBe("http://localhost:8000");
        expect(project.studioUrl).toBe("http://localhost:8000");
        const password = envMap(container(registrations, "dev-db").inputs.envs).POSTGRES_PASSWORD!;
        expect(await unwrap(project.postgresSessionUrl)).toBe(`postgresql://postgres.dev:${password}@127.0.0.1:5432/postgres`);
        expect(await unwrap(project.postgresPoolerUrl)).toBe(`postgresql://postgres.dev:${password}@127.0.0.1:6543/postgres`);
        expect(await unwrap(project.postgresDirectUrl)).toBe(`postgresql://postgres:${password}@db:5432/postgres`);
        expect(Object.keys(project.stackOutputs()).sort()).toEqual([
            "anonKey", "apiUrl", "containerNames", "dashboardPassword", "dashboardUsername", "jwtSecret", "networkName",
            "postgresDirectUrl", "postgresPoolerUrl", "postgresSessionUrl", "ref", "release", "serviceRoleKey", "studioUrl", "volumeNames",
        ]);
        expect(project.release).toBe("feb-2026");
    });
});

describe("SupabaseProject with analytics off", () => {
    it("drops analytics and vector and every reference to them", async () => {
        const { registrations } = await buildProject({ ...DEV, analyticsEnabled: false });
        const names = byType(registrations, CONTAINER).map((r) => r.name).sort();
        expect(names).toEqual(ALL_SERVICES.filter((s) => s !== "analytics" && s !== "vector").map((s) => `dev-${s}`).sort());
        expect(byType(registrations, IMAGE).length).toBe(11);
        // The db keeps its `_analytics` schema: init SQL runs once, on an empty data directory, so the
        // schema must exist already if analytics is switched on later. Nothing else may mention them.
        // The password sync also updates analytics' stored backends whenever that table exists: analytics
        // may have run before it was switched off.
        const withoutLogsSchema = registrations
            .filter((r) => r.name !== "dev-db-password-sync")
            .map((r) => (r.name === "dev-db" ? { ...r.inputs, uploads: (r.inputs.uploads as { file: string }[]).filter((u) => !u.file.endsWith("/99-logs.sql")) } : r.inputs));
        const text = JSON.stringify(reveal(withoutLogsSchema));
        expect(text).not.toMatch(/analytics|vector|logflare/i);
        const studio = envMap(container(registrations, "dev-studio").inputs.envs);
        expect(studio.NEXT_PUBLIC_ENABLE_LOGS).toBe("false");
    });
});

describe("start order", () => {
    const expected = {
        "feb-2026": {
            db: [], vector: [], analytics: ["db"], kong: [], auth: ["db"], rest: ["db"], realtime: ["db"],
            storage: ["db", "rest", "imgproxy"], imgproxy: [], meta: ["db"], functions: [], studio: [], supavisor: ["db"],
        },
        // As upstream 0.8: the gateway after Studio, functions after the gateway, vector after analytics.
        "0.8.2": {
            db: [], vector: ["analytics"], analytics: ["db"], kong: ["studio"], auth: ["db"], rest: ["db"], realtime: ["db"],
            storage: ["db", "rest", "imgproxy"], imgproxy: [], meta: ["db"], functions: ["kong"], studio: [], supavisor: ["db"],
        },
    } as const;
    for (const name of ["feb-2026", "0.8.2"] as const) {
        it(`${name}: health-gates each dependent on what it needs; nothing that serves traffic waits for analytics`, async () => {
            const { startDependencies } = await import("../../components/services/index.js");
            const { RELEASES } = await import("../../components/releases.js");
            const { startOrder } = await import("../../components/supabaseProject.js");
            const graph = startDependencies(RELEASES[name]);
            expect(graph).toEqual(expected[name]);
            const order = startOrder(ALL_SERVICES as never, RELEASES[name]);
            for (const [service, deps] of Object.entries(graph)) {
                for (const dep of deps) expect(order.indexOf(dep as never)).toBeLessThan(order.indexOf(service as never));
            }
            // What analytics gates, transitively: only vector.
            const waitsFor = (service: string): string[] => (graph as Record<string, readonly string[]>)[service]!.flatMap((dep) => [dep, ...waitsFor(dep)]);
            expect(ALL_SERVICES.filter((service) => waitsFor(service).includes("analytics"))).toEqual(name === "0.8.2" ? ["vector"] : []);
        });
    }

    it("resume's graph (one for every release) honours each release's order", async () => {
        const { START_DEPENDENCIES, startDependencies } = await import("../../components/services/index.js");
        const { RELEASES } = await import("../../components/releases.js");
        for (const name of ["feb-2026", "0.8.2"] as const) {
            for (const [service, deps] of Object.entries(startDependencies(RELEASES[name]))) {
                expect(START_DEPENDENCIES[service as keyof typeof START_DEPENDENCIES]).toEqual(expect.arrayContaining([...deps]));
            }
        }
    });
});
