/**
 * Several tenants in one program, repeat evaluations, and the settings that change the shape of a project.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { jwtSecretCopyRemovalScript } from "../../components/liveDbSync.js";
import { envMap, installMocks, isSecretValue, reveal, settle, unwrap, type Registration } from "../support/pulumiHarness.js";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";

async function buildProjects(tenants: Record<string, unknown>[]): Promise<Registration[]> {
    return (await buildWithProjects(tenants)).registrations;
}

async function buildWithProjects(tenants: Record<string, unknown>[]) {
    const run = await installMocks();
    const { parseTenantConfig } = await import("../../components/config/load.js");
    const { splitSecrets } = await import("../../components/config/secrets.js");
    const { SupabaseProject } = await import("../../components/supabaseProject.js");
    const projects = tenants.map((raw) => {
        const { settings, secretInputs } = splitSecrets(parseTenantConfig(raw, "test"));
        return new SupabaseProject(settings.ref, { settings, secrets: secretInputs });
    });
    await Promise.all(projects.map(settle));
    return { registrations: run.registrations, projects };
}

const container = (registrations: Registration[], name: string) => registrations.find((r) => r.type === CONTAINER && r.name === name)!;

describe("two tenants in one program", () => {
    it("share no container, network or volume name and no host port", async () => {
        const registrations = await buildProjects([
            { ref: "alpha", authEmailAutoconfirm: true },
            { ref: "beta", authEmailAutoconfirm: true, kongHttpPort: 8100, kongHttpsPort: 8543, postgresPort: 5442, poolerTransactionPort: 6553 },
        ]);
        const namesOf = (type: string) => registrations.filter((r) => r.type === type).map((r) => r.inputs.name as string);
        for (const type of [CONTAINER, VOLUME, NETWORK]) {
            const names = namesOf(type);
            expect(new Set(names).size, type).toBe(names.length);
        }
        expect(namesOf(CONTAINER).length).toBe(26);
        const hostPorts = registrations
            .filter((r) => r.type === CONTAINER)
            .flatMap((r) => (r.inputs.ports as { external: number }[]).map((p) => p.external));
        expect(hostPorts.sort()).toEqual([5432, 5442, 6543, 6553, 8000, 8100, 8443, 8543]);
        // Each tenant's containers join only its own network.
        for (const r of registrations.filter((r) => r.type === CONTAINER)) {
            const tenant = (r.inputs.name as string).split("-")[0];
            expect((r.inputs.networksAdvanced as { name: string }[])[0]!.name).toBe(`${tenant}-network`);
        }
    });
});

describe("repeat evaluations", () => {
    it("give byte-identical inputs for the same config", async () => {
        // Registration order depends on when outputs resolve; the inputs of each resource must not.
        const evaluate = async () =>
            JSON.stringify(
                reveal(
                    (await buildProjects([{ ref: "same", authEmailAutoconfirm: true }]))
                        .map((r) => [r.type, r.name, r.inputs] as const)
                        .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`)),
                ),
            );
        const first = await evaluate();
        const second = await evaluate();
        expect(second).toBe(first);
    });

    it("sort env lists and labels, so declaration order never shows as a change", async () => {
        const registrations = await buildProjects([{ ref: "sorted", authEmailAutoconfirm: true }]);
        for (const r of registrations.filter((r) => r.type === CONTAINER)) {
            const keys = Object.keys(envMap(r.inputs.envs));
            expect(keys).toEqual([...keys].sort());
            const labels = (r.inputs.labels as { label: string }[]).map((l) => l.label);
            expect(labels).toEqual([...labels].sort());
        }
    });
});

describe("settings that change a project", () => {
    it("S3 storage: storage gets the bucket settings and the credentials only as secrets", async () => {
        const registrations = await buildProjects([
            {
                ref: "s3tenant", authEmailAutoconfirm: true, storageBackend: "s3", s3Endpoint: "https://s3.eu.example.com",
                s3Bucket: "media-bucket", s3Region: "eu-west-1", s3AccessKeyId: "AKIAEXAMPLE", s3SecretAccessKey: "very-secret-key",
            },
        ]);
        const storage = container(registrations, "s3tenant-storage");
        expect(envMap(storage.inputs.envs)).toMatchObject({
            STORAGE_BACKEND: "s3", GLOBAL_S3_BUCKET: "media-bucket", GLOBAL_S3_ENDPOINT: "https://s3.eu.example.com", GLOBAL_S3_PROTOCOL: "https",
            GLOBAL_S3_FORCE_PATH_STYLE: "true", REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "very-secret-key",
        });
        expect(envMap(storage.inputs.envs).FILE_STORAGE_BACKEND_PATH).toBeUndefined();
        expect(isSecretValue(storage.inputs.envs)).toBe(true);
        const others = registrations.filter((r) => r.name !== "s3tenant-storage");
        expect(JSON.stringify(reveal(others.map((r) => r.inputs)))).not.toContain("very-secret-key");
    });

    it("SMTP and OAuth: auth gets the provider settings; secrets only in its environment", async () => {
        const registrations = await buildProjects([
            {
                ref: "mailer", smtpHost: "smtp.example.com", smtpUser: "mailer", smtpPassword: "smtp-pass-123", apiUrl: "https://api.example.com",
                authOAuthProviders: ["github:Iv1.abc"], authOAuthClientSecrets: ["github:gh-secret-456"],
            },
        ]);
        const env = envMap(container(registrations, "mailer-auth").inputs.envs);
        expect(env).toMatchObject({
            GOTRUE_SMTP_HOST: "smtp.example.com", GOTRUE_SMTP_PORT: "587", GOTRUE_SMTP_USER: "mailer", GOTRUE_SMTP_PASS: "smtp-pass-123",
            GOTRUE_MAILER_AUTOCONFIRM: "false", GOTRUE_EXTERNAL_GITHUB_ENABLED: "true", GOTRUE_EXTERNAL_GITHUB_CLIENT_ID: "Iv1.abc",
            GOTRUE_EXTERNAL_GITHUB_SECRET: "gh-secret-456", GOTRUE_EXTERNAL_GITHUB_REDIRECT_URI: "https://api.example.com/auth/v1/callback",
            API_EXTERNAL_URL: "https://api.example.com",
        });
        const text = JSON.stringify(reveal(registrations.filter((r) => r.name !== "mailer-auth").map((r) => r.inputs)));
        expect(text).not.toContain("smtp-pass-123");
        expect(text).not.toContain("gh-secret-456");
    });

    it("names the db data volume by its generation and declares the kept one, retained unless data is to go", async () => {
        const volumesOf = async (settings: Record<string, unknown>) => {
            const retained = new Map<string, boolean>();
            const run = await installMocks();
            const { parseTenantConfig } = await import("../../components/config/load.js");
            const { splitSecrets } = await import("../../components/config/secrets.js");
            const { SupabaseProject } = await import("../../components/supabaseProject.js");
            const parsed = splitSecrets(parseTenantConfig({ ref: "gen", authEmailAutoconfirm: true, ...settings }, "test"));
            const project = new SupabaseProject("gen", { settings: parsed.settings, secrets: parsed.secretInputs }, {
                transformations: [(args) => (args.type === VOLUME ? (retained.set(args.name, args.opts.retainOnDelete ?? false), undefined) : undefined)],
            });
            await settle(project);
            const names = Object.fromEntries(run.registrations.filter((r) => r.type === VOLUME).map((r) => [r.name, r.inputs.name]));
            return { names, retained: Object.fromEntries(retained) };
        };
        expect((await volumesOf({})).names["gen-db-data"]).toBe("gen-db-data");
        const upgraded = await volumesOf({ dbDataGeneration: 2, dbDataKeptGeneration: "1:15" });
        expect([upgraded.names["gen-db-data"], upgraded.names["gen-db-data-kept"]]).toEqual(["gen-db-data-g2", "gen-db-data"]);
        expect(upgraded.retained["gen-db-data-kept"]).toBe(true);
        expect((await volumesOf({ dbDataGeneration: 2, dbDataKeptGeneration: "1:15", deleteDataOnDestroy: true })).retained["gen-db-data-kept"]).toBe(false);
        // Rolled back: generation 1 in use again, the newer one kept.
        expect(Object.values((await volumesOf({ dbDataGeneration: 1, dbDataKeptGeneration: "2:17" })).names).filter((name) => String(name).startsWith("gen-db-data")).sort()).toEqual(["gen-db-data", "gen-db-data-g2"]);
    });

    it("deleteDataOnDestroy lets destroy remove the data volumes (explicit opt-in)", async () => {
        const retained = new Map<string, boolean>();
        const run = await installMocks();
        const { parseTenantConfig } = await import("../../components/config/load.js");
        const { splitSecrets } = await import("../../components/config/secrets.js");
        const { SupabaseProject } = await import("../../components/supabaseProject.js");
        const { settings, secretInputs } = splitSecrets(parseTenantConfig({ ref: "scratch", authEmailAutoconfirm: true, deleteDataOnDestroy: true }, "test"));
        const project = new SupabaseProject("scratch", { settings, secrets: secretInputs }, {
            transformations: [(args) => (args.type === VOLUME ? (retained.set(args.name, args.opts.retainOnDelete ?? false), undefined) : undefined)],
        });
        await settle(project);
        expect(run.registrations.filter((r) => r.type === VOLUME).length).toBe(6);
        expect([...retained.values()]).toEqual([false, false, false, false, false, false]);
    });

    it("declares no existing-data check when the Postgres password comes from config (the major check stays)", async () => {
        const registrations = await buildProjects([{ ref: "given", authEmailAutoconfirm: true, postgresPassword: "a-password-of-my-own-1234" }]);
        expect(registrations.filter((r) => r.type === "command:local:Command").map((r) => r.name).sort()).toEqual(["given-db-jwt-secret-sync", "given-db-major-guard", "given-db-password-sync"]);
    });

    it("from release 0.8.2 on, declares no JWT-secret sync but a one-time removal of the database's copy, without the secret", async () => {
        const registrations = await buildProjects([{ ref: "nova", authEmailAutoconfirm: true, release: "0.8.2", dbDataPostgresMajor: 17, postgresPassword: "a-password-of-my-own-1234" }]);
        const commands = registrations.filter((r) => r.type === "command:local:Command");
        expect(commands.map((r) => r.name).sort()).toEqual(["nova-db-jwt-secret-copy-removal", "nova-db-major-guard", "nova-db-password-sync"]);
        const removal = commands.find((r) => r.name === "nova-db-jwt-secret-copy-removal")!;
        expect(removal.inputs.create).toBe(jwtSecretCopyRemovalScript());
        expect(removal.inputs.update).toBeUndefined(); // once: no later update runs it again
        expect(Object.keys(removal.inputs.environment as Record<string, unknown>).sort()).toEqual(["DB_CONTAINER", "DOCKER_HOST", "REF", "SYNC_SQL"]);
        expect((removal.inputs.environment as Record<string, string>).SYNC_SQL).toContain('ALTER DATABASE postgres RESET "app.settings.jwt_secret";');
    });

    it("paused: containers are declared but neither started, kept running nor waited for", async () => {
        const registrations = await buildProjects([{ ref: "sleepy", authEmailAutoconfirm: true, paused: true }]);
        const containers = registrations.filter((r) => r.type === CONTAINER);
        expect(containers.length).toBe(13);
        for (const c of containers) expect([c.inputs.start, c.inputs.mustRun, c.inputs.wait]).toEqual([false, false, false]);
    });

    it("image and limit overrides reach only their service", async () => {
        const registrations = await buildProjects([{ ref: "custom", authEmailAutoconfirm: true, authImage: "supabase/gotrue:v2.190.0", restMemoryMb: 1024, restCpus: "2.5" }]);
        expect(container(registrations, "custom-auth").inputs.image).toBe("supabase/gotrue:v2.190.0");
        expect([container(registrations, "custom-rest").inputs.memory, container(registrations, "custom-rest").inputs.cpus]).toEqual([1024, "2.5"]);
        expect(registrations.filter((r) => r.type === "docker:index/remoteImage:RemoteImage").map((r) => r.inputs.name)).toContain("supabase/gotrue:v2.190.0");
    });

    it("puts the tenant's log socket under logSocketDir, and no container mounts the Docker socket (dockerSocketPath is only accepted)", async () => {
        const registrations = await buildProjects([{ ref: "rootless", authEmailAutoconfirm: true, logSocketDir: "/run/user/1000/supabase-fleet", dockerSocketPath: "/run/user/1000/docker.sock" }]);
        expect(container(registrations, "rootless-vector").inputs.volumes).toEqual([{ hostPath: "/run/user/1000/supabase-fleet/rootless", containerPath: "/var/run/supabase-fleet-logs", readOnly: false }]);
        expect((container(registrations, "rootless-auth").inputs.logOpts as Record<string, string>)["fluentd-address"]).toBe("unix:///run/user/1000/supabase-fleet/rootless/fluent.sock");
        expect(JSON.stringify(registrations.map((r) => r.inputs))).not.toContain("/run/user/1000/docker.sock");
        const { TenantConfigError, parseTenantConfig } = await import("../../components/config/load.js");
        expect(() => parseTenantConfig({ ref: "rootless", authEmailAutoconfirm: true, dockerSocketPath: "docker.sock" }, "test")).toThrow(TenantConfigError);
        for (const bad of ["run/fleet", "/run/../etc", "/run/fleet/", "/run//fleet", "/run/fl eet", "/run/$(id)"]) {
            expect(() => parseTenantConfig({ ref: "rootless", authEmailAutoconfirm: true, logSocketDir: bad }, "test"), bad).toThrow(/supabase-fleet:logSocketDir: must be an absolute path on the Docker host of plain segments/);
        }
    });

    it("with analytics off there is no vector, and every container keeps Docker's default log driver", async () => {
        const registrations = await buildProjects([{ ref: "quiet", authEmailAutoconfirm: true, analyticsEnabled: false }]);
        const containers = registrations.filter((r) => r.type === "docker:index/container:Container");
        expect(containers.map((r) => r.name)).not.toContain("quiet-vector");
        for (const registration of containers) expect(registration.inputs.logDriver, registration.name).toBeUndefined();
    });

    it("a new JWT secret yields new keys everywhere they are used", async () => {
        const keysFor = async (jwtSecret: string) => {
            const registrations = await buildProjects([{ ref: "rotate", authEmailAutoconfirm: true, jwtSecret }]);
            return ["kong", "storage", "studio", "functions"].map((s) => {
                const env = envMap(container(registrations, `rotate-${s}`).inputs.envs);
                return env.SUPABASE_ANON_KEY ?? env.ANON_KEY;
            });
        };
        const before = await keysFor("a".repeat(40));
        const after = await keysFor("b".repeat(40));
        expect(new Set(before).size).toBe(1);
        expect(new Set(after).size).toBe(1);
        expect(after[0]).not.toBe(before[0]);
    });
});

describe("release 0.8.2, service by service as upstream's 0.8.2", () => {
    const NOVA = { ref: "nova", release: "0.8.2", dbDataPostgresMajor: 17, authEmailAutoconfirm: true };
    let registrations: Registration[];
    const env = (service: string) => envMap(container(registrations, `nova-${service}`).inputs.envs);
    const health = (service: string) => container(registrations, `nova-${service}`).inputs.healthcheck;
    beforeAll(async () => {
        registrations = await buildProjects([NOVA]);
    });

    it("runs every image of the release", async () => {
        const { RELEASES } = await import("../../components/releases.js");
        const images = Object.fromEntries(registrations.filter((r) => r.type === CONTAINER).map((r) => [(r.inputs.name as string).slice("nova-".length), r.inputs.image]));
        expect(images).toEqual(RELEASES["0.8.2"].images);
        expect([images.db, images.kong]).toEqual(["supabase/postgres:17.6.1.136", "kong/kong:3.9.3"]);
    });

    it("db: no JWT secret in its environment or its init SQL; the token lifetime stays", () => {
        expect(Object.keys(env("db"))).not.toContain("JWT_SECRET");
        expect(env("db").JWT_EXP).toBe("3600");
        const uploads = container(registrations, "nova-db").inputs.uploads as { file: string; content: string }[];
        const jwtSql = uploads.find((u) => u.file.endsWith("/99-jwt.sql"))!.content;
        expect(jwtSql).toContain(`ALTER DATABASE postgres SET "app.settings.jwt_exp" TO :'jwt_exp';`);
        expect(uploads.map((u) => u.content).join("\n")).not.toMatch(/jwt_secret|JWT_SECRET/);
    });

    it("auth: API_EXTERNAL_URL is auth's own public URL and the token issuer", () => {
        expect(env("auth")).toMatchObject({ API_EXTERNAL_URL: "http://localhost:8000/auth/v1", GOTRUE_JWT_ISSUER: "http://localhost:8000/auth/v1" });
    });

    it("rest: storage not exposed, no JWT secret as an app setting, admin server on localhost, upstream's health timings", () => {
        const rest = env("rest");
        expect(rest).toMatchObject({ PGRST_DB_SCHEMAS: "public,graphql_public", PGRST_ADMIN_SERVER_HOST: "localhost", PGRST_ADMIN_SERVER_PORT: "3001", PGRST_APP_SETTINGS_JWT_EXP: "3600" });
        expect(Object.keys(rest)).not.toContain("PGRST_APP_SETTINGS_JWT_SECRET");
        expect(health("rest")).toEqual({ tests: ["CMD", "postgrest", "--ready"], interval: "5s", timeout: "5s", retries: 3 });
    });

    it("storage: the JWT secret as AUTH_JWT_SECRET (the same value auth signs with)", () => {
        expect(Object.keys(env("storage"))).not.toContain("PGRST_JWT_SECRET");
        expect(env("storage").AUTH_JWT_SECRET).toBe(env("auth").GOTRUE_JWT_SECRET);
        expect(health("storage")).toMatchObject({ startPeriod: "10s" });
    });

    it("imgproxy: IMGPROXY_AUTO_WEBP replaces the WebP detection switch", () => {
        expect(env("imgproxy").IMGPROXY_AUTO_WEBP).toBe("true");
        expect(Object.keys(env("imgproxy"))).not.toContain("IMGPROXY_ENABLE_WEBP_DETECTION");
    });

    it("meta and Studio connect as postgres; Studio listens on IPv4 and reaches the gateway as api-gw", () => {
        expect(env("meta").PG_META_DB_USER).toBe("postgres");
        expect(env("studio")).toMatchObject({ POSTGRES_USER_READ_WRITE: "postgres", HOSTNAME: "0.0.0.0", SUPABASE_URL: "http://api-gw:8000", PGRST_DB_SCHEMAS: "public,graphql_public" });
        expect(health("studio")).toMatchObject({ interval: "5s", timeout: "10s", retries: 3, startPeriod: "20s" });
        const studioVolumes = container(registrations, "nova-studio").inputs.volumes as { containerPath: string; readOnly: boolean }[];
        expect(studioVolumes.find((v) => v.containerPath === "/app/edge-functions")!.readOnly).toBe(true);
    });

    it("Studio's logs settings are those of upstream's logs overlay, on and off", async () => {
        expect(env("studio")).toMatchObject({ ENABLED_FEATURES_LOGS_ALL: "true", LOGFLARE_URL: "http://analytics:4000" });
        expect(Object.keys(env("studio"))).toContain("LOGFLARE_PRIVATE_ACCESS_TOKEN");
        for (const gone of ["LOGFLARE_PUBLIC_ACCESS_TOKEN", "NEXT_PUBLIC_ENABLE_LOGS", "NEXT_ANALYTICS_BACKEND_PROVIDER"]) expect(Object.keys(env("studio"))).not.toContain(gone);
        const off = await buildProjects([{ ...NOVA, analyticsEnabled: false }]);
        const studioOff = envMap(container(off, "nova-studio").inputs.envs);
        expect(studioOff.ENABLED_FEATURES_LOGS_ALL).toBe("false");
        expect(Object.keys(studioOff).filter((name) => name.startsWith("LOGFLARE_"))).toEqual([]);
        expect(off.filter((r) => r.type === CONTAINER).map((r) => r.name)).not.toContain("nova-analytics");
    });

    it("realtime: a 16-character DB_ENC_KEY (upstream's REALTIME_DB_ENC_KEY) and the tenant health check", () => {
        expect(env("realtime").DB_ENC_KEY).toHaveLength(16);
        expect(health("realtime")).toMatchObject({ interval: "30s", timeout: "5s", retries: 3, startPeriod: "10s" });
    });

    it("functions: the gateway as api-gw and upstream's TCP health check", () => {
        expect(env("functions").SUPABASE_URL).toBe("http://api-gw:8000");
        expect(health("functions")).toEqual({ tests: ["CMD-SHELL", "timeout 1 bash -c '</dev/tcp/127.0.0.1/9000'"], interval: "5s", timeout: "5s", retries: 3 });
    });

    it("analytics: upstream's health check with its start period", () => {
        expect(health("analytics")).toEqual({ tests: ["CMD-SHELL", "curl -sSfL -o /dev/null http://localhost:4000/health"], interval: "5s", timeout: "5s", retries: 10, startPeriod: "30s" });
    });

    it("kong: Kong 3.9 as upstream's kong overlay sets it up, answering to kong and api-gw", () => {
        expect(env("kong")).toMatchObject({
            KONG_DECLARATIVE_CONFIG: "/home/kong/kong.yml",
            KONG_ROUTER_FLAVOR: "expressions",
            KONG_DNS_NOT_FOUND_TTL: "1",
            KONG_PROXY_ACCESS_LOG: "/dev/stdout combined",
            KONG_PLUGINS: "request-transformer,cors,key-auth,acl,basic-auth,request-termination,ip-restriction,post-function",
        });
        expect((container(registrations, "nova-kong").inputs.networksAdvanced as { aliases: string[] }[])[0]!.aliases).toEqual(["kong", "api-gw"]);
        expect(String((container(registrations, "nova-kong").inputs.entrypoints as string[])[2])).toMatch(/exec \/entrypoint\.sh kong docker-start\n$/);
        expect(health("kong")).toEqual({ tests: ["CMD", "kong", "health"], interval: "5s", timeout: "5s", retries: 5 });
    });

    it("the new keys: auth signs with the EC key set, the verifiers read the public set, the gateway, Studio and functions the opaque keys", async () => {
        const { createLocalJWKSet, jwtVerify } = await import("jose");
        const jwksText = env("rest").PGRST_JWT_SECRET!;
        for (const [service, name] of [["realtime", "API_JWT_JWKS"], ["storage", "JWT_JWKS"], ["functions", "SUPABASE_JWKS"]] as const) expect(env(service)[name], service).toBe(jwksText);
        const jwks = JSON.parse(jwksText) as { keys: Record<string, string>[] };
        const signing = JSON.parse(env("auth").GOTRUE_JWT_KEYS!) as Record<string, string>[];
        expect(signing[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", kid: jwks.keys[0]!.kid });
        expect(signing[1]).toEqual({ kty: "oct", alg: "HS256", k: Buffer.from(env("auth").GOTRUE_JWT_SECRET!).toString("base64url") });
        expect(jwks.keys[1]).toEqual(signing[1]);
        // Only auth holds the private key.
        for (const r of registrations.filter((r) => r.type === CONTAINER && r.name !== "nova-auth")) expect(JSON.stringify(envMap(r.inputs.envs)), r.name).not.toContain(signing[0]!.d);
        const kong = env("kong");
        for (const [token, role] of [[kong.ANON_KEY_ASYMMETRIC!, "anon"], [kong.SERVICE_ROLE_KEY_ASYMMETRIC!, "service_role"]] as const) {
            expect((await jwtVerify(token, createLocalJWKSet(jwks as never), { algorithms: ["ES256"], issuer: "supabase" })).payload.role).toBe(role);
        }
        expect(kong.SUPABASE_PUBLISHABLE_KEY).toMatch(/^sb_publishable_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{8}$/);
        expect(kong.SUPABASE_SECRET_KEY).toMatch(/^sb_secret_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{8}$/);
        expect(env("studio")).toMatchObject({ SUPABASE_PUBLISHABLE_KEY: kong.SUPABASE_PUBLISHABLE_KEY, SUPABASE_SECRET_KEY: kong.SUPABASE_SECRET_KEY });
        expect(env("functions")).toMatchObject({ SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: kong.SUPABASE_PUBLISHABLE_KEY }), SUPABASE_SECRET_KEYS: JSON.stringify({ default: kong.SUPABASE_SECRET_KEY }) });
    });

    it("the new keys as outputs: the publishable key in plain text, the secret key and the key sets secret; stable across evaluations", async () => {
        const pulumi = await import("@pulumi/pulumi");
        const { projects } = await buildWithProjects([NOVA]);
        const project = projects[0]!;
        expect(await pulumi.isSecret(project.publishableKey!)).toBe(false);
        for (const output of [project.secretKey!, project.jwtKeys!, project.jwtJwks!]) expect(await pulumi.isSecret(output)).toBe(true);
        expect(Object.keys(project.stackOutputs())).toEqual(expect.arrayContaining(["publishableKey", "secretKey", "jwtKeys", "jwtJwks"]));
        expect(await unwrap(project.publishableKey!)).toBe(env("kong").SUPABASE_PUBLISHABLE_KEY);
        // A second evaluation (the random seeds come back from state) gives the same bytes: no churn.
        const again = await buildProjects([NOVA]);
        expect(envMap(container(again, "nova-kong").inputs.envs)).toEqual(env("kong"));
        expect(envMap(container(again, "nova-auth").inputs.envs).GOTRUE_JWT_KEYS).toBe(env("auth").GOTRUE_JWT_KEYS);
    });

    it("a signing-key rotation (generation 2) gives auth a new signing key and every verifier both public keys; the opaque keys stay", async () => {
        const rotated = await buildProjects([{ ...NOVA, signingKeyGeneration: 2 }]);
        const rotatedEnv = (service: string) => envMap(container(rotated, `nova-${service}`).inputs.envs);
        const kids = (jwks: string) => (JSON.parse(jwks) as { keys: { kid?: string }[] }).keys.map((key) => key.kid).filter(Boolean);
        const before = kids(env("rest").PGRST_JWT_SECRET!);
        const after = kids(rotatedEnv("rest").PGRST_JWT_SECRET!);
        expect(after).toHaveLength(2);
        expect(after[1]).toBe(before[0]);
        for (const [service, name] of [["realtime", "API_JWT_JWKS"], ["storage", "JWT_JWKS"], ["functions", "SUPABASE_JWKS"]] as const) expect(rotatedEnv(service)[name]).toBe(rotatedEnv("rest").PGRST_JWT_SECRET);
        expect((JSON.parse(rotatedEnv("auth").GOTRUE_JWT_KEYS!) as { kid?: string; key_ops?: string[] }[]).filter((key) => key.key_ops?.includes("sign")).map((key) => key.kid)).toEqual([after[0]]);
        expect([rotatedEnv("kong").SUPABASE_PUBLISHABLE_KEY, rotatedEnv("kong").SUPABASE_SECRET_KEY]).toEqual([env("kong").SUPABASE_PUBLISHABLE_KEY, env("kong").SUPABASE_SECRET_KEY]);
        const retired = await buildProjects([{ ...NOVA, signingKeyGeneration: 2, keepPreviousSigningKey: false }]);
        expect(kids(envMap(container(retired, "nova-rest").inputs.envs).PGRST_JWT_SECRET!)).toEqual([after[0]]);
    });

    it("an opaque-key rotation (generation 2): the gateway takes the new and the previous pair; Studio and functions only the new one", async () => {
        const rotated = await buildProjects([{ ...NOVA, opaqueKeyGeneration: 2 }]);
        const rotatedEnv = (service: string) => envMap(container(rotated, `nova-${service}`).inputs.envs);
        const kong = rotatedEnv("kong");
        expect([kong.SUPABASE_PREVIOUS_PUBLISHABLE_KEY, kong.SUPABASE_PREVIOUS_SECRET_KEY]).toEqual([env("kong").SUPABASE_PUBLISHABLE_KEY, env("kong").SUPABASE_SECRET_KEY]);
        expect(kong.SUPABASE_PUBLISHABLE_KEY).not.toBe(env("kong").SUPABASE_PUBLISHABLE_KEY);
        expect(String((container(rotated, "nova-kong").inputs.entrypoints as string[])[2])).toContain("SUPABASE_PREVIOUS_PUBLISHABLE_KEY SUPABASE_PREVIOUS_SECRET_KEY; do");
        expect(rotatedEnv("studio").SUPABASE_PUBLISHABLE_KEY).toBe(kong.SUPABASE_PUBLISHABLE_KEY);
        for (const service of ["studio", "functions"]) expect(JSON.stringify(rotatedEnv(service)), service).not.toContain(env("kong").SUPABASE_PUBLISHABLE_KEY);
        // The signing key did not move.
        expect(rotatedEnv("auth").GOTRUE_JWT_KEYS).toBe(env("auth").GOTRUE_JWT_KEYS);
        const dropped = await buildProjects([{ ...NOVA, opaqueKeyGeneration: 2, keepPreviousOpaqueKeys: false }]);
        expect(Object.keys(envMap(container(dropped, "nova-kong").inputs.envs)).filter((name) => name.includes("PREVIOUS"))).toEqual([]);
    });

    it("a feb-2026 tenant gets none of the new keys: its images know none of them", async () => {
        const { projects, registrations: old } = await buildWithProjects([{ ref: "old", authEmailAutoconfirm: true }]);
        const names = ["GOTRUE_JWT_KEYS", "API_JWT_JWKS", "JWT_JWKS", "SUPABASE_JWKS", "SUPABASE_PUBLISHABLE_KEY", "SUPABASE_SECRET_KEY", "SUPABASE_PUBLISHABLE_KEYS", "SUPABASE_SECRET_KEYS", "ANON_KEY_ASYMMETRIC", "SERVICE_ROLE_KEY_ASYMMETRIC"];
        for (const r of old.filter((r) => r.type === CONTAINER)) expect(Object.keys(envMap(r.inputs.envs)).filter((n) => names.includes(n)), r.name).toEqual([]);
        expect(old.map((r) => r.name).filter((n) => n.endsWith("KeySeed"))).toEqual([]);
        expect(projects[0]!.publishableKey).toBeUndefined();
        expect(envMap(container(old, "old-rest").inputs.envs).PGRST_JWT_SECRET).toBe(envMap(container(old, "old-auth").inputs.envs).GOTRUE_JWT_SECRET);
    });

    it("an image override stays within the release: only that service changes", async () => {
        const { RELEASES } = await import("../../components/releases.js");
        const overridden = await buildProjects([{ ...NOVA, imgproxyImage: "darthsim/imgproxy:v3.31.5" }]);
        expect(container(overridden, "nova-imgproxy").inputs.image).toBe("darthsim/imgproxy:v3.31.5");
        expect(container(overridden, "nova-auth").inputs.image).toBe(RELEASES["0.8.2"].images.auth);
        // The wiring stays the release's.
        expect(envMap(container(overridden, "nova-imgproxy").inputs.envs).IMGPROXY_AUTO_WEBP).toBe("true");
    });
});

describe("release 0.8.2 with gateway envoy: Envoy in the gateway slot, from the same route table", () => {
    const NOVA_ENVOY = { ref: "nova", release: "0.8.2", gateway: "envoy", dbDataPostgresMajor: 17, authEmailAutoconfirm: true, dashboardPassword: "a dashboard password" };
    let registrations: Registration[] = [];
    const gateway = () => container(registrations, "nova-kong");
    beforeAll(async () => {
        registrations = await buildProjects([NOVA_ENVOY]);
    });

    it("runs upstream's Envoy image as uid 101, answers to api-gw, envoy and kong, publishes port 8000 only", async () => {
        const { RELEASES } = await import("../../components/releases.js");
        const inputs = gateway().inputs;
        expect(inputs.image).toBe(RELEASES["0.8.2"].envoyImage);
        expect(inputs.user).toBe("101:101");
        expect((inputs.networksAdvanced as { aliases: string[] }[])[0]!.aliases).toEqual(["kong", "api-gw", "envoy"]);
        expect((inputs.ports as { internal: number }[]).map((p) => p.internal)).toEqual([8000]);
        expect(inputs.healthcheck).toEqual({ tests: ["CMD-SHELL", "timeout 1 bash -c '</dev/tcp/127.0.0.1/8000'"], interval: "10s", timeout: "5s", retries: 3 });
        expect(inputs.tmpfs).toEqual({ "/run/envoy": "rw,nosuid,nodev,noexec,size=1m,mode=1777" });
        expect(String((inputs.entrypoints as string[])[2])).toMatch(/> \/run\/envoy\/lds\.yaml\nexec envoy -c \/etc\/envoy\/envoy\.yaml\n$/);
    });

    it("uploads the three files with placeholders only; every key and the login come from the environment, a secret", async () => {
        const { createHash } = await import("node:crypto");
        const uploads = gateway().inputs.uploads as { file: string; content: string }[];
        expect(uploads.map((u) => u.file)).toEqual(["/etc/envoy/envoy.yaml", "/etc/envoy/cds.yaml", "/etc/envoy/lds.template.yaml"]);
        const env = envMap(gateway().inputs.envs);
        expect(Object.keys(env).sort()).toEqual(["ANON_KEY", "ANON_KEY_ASYMMETRIC", "DASHBOARD_BASIC_AUTH", "SERVICE_ROLE_KEY", "SERVICE_ROLE_KEY_ASYMMETRIC", "SUPABASE_PUBLISHABLE_KEY", "SUPABASE_SECRET_KEY"]);
        expect(env.DASHBOARD_BASIC_AUTH).toBe(`supabase:{SHA}${createHash("sha1").update("a dashboard password").digest("base64")}`);
        for (const value of Object.values(env)) for (const upload of uploads) expect(upload.content).not.toContain(value);
        expect(uploads.find((u) => u.file.endsWith("lds.template.yaml"))!.content).toContain("'$DASHBOARD_BASIC_AUTH'");
        // The whole environment is a secret in state (it holds keys).
        expect(isSecretValue(gateway().inputs.envs)).toBe(true);
    });

    it("leaves every other container as it is with kong", async () => {
        const withKong = await buildProjects([{ ...NOVA_ENVOY, gateway: "kong" }]);
        for (const r of registrations.filter((r) => r.type === CONTAINER && r.name !== "nova-kong")) {
            expect(JSON.stringify(reveal(r.inputs)), r.name).toBe(JSON.stringify(reveal(container(withKong, r.name).inputs)));
        }
    });
});
