/**
 * Several tenants in one program, repeat evaluations, and the settings that change the shape of a project.
 */
import { describe, expect, it } from "vitest";
import { envMap, installMocks, isSecretValue, reveal, settle, type Registration } from "../support/pulumiHarness.js";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";

async function buildProjects(tenants: Record<string, unknown>[]): Promise<Registration[]> {
    const run = await installMocks();
    const { parseTenantConfig } = await import("../../components/config/load.js");
    const { splitSecrets } = await import("../../components/config/secrets.js");
    const { SupabaseProject } = await import("../../components/supabaseProject.js");
    const projects = tenants.map((raw) => {
        const { settings, secretInputs } = splitSecrets(parseTenantConfig(raw, "test"));
        return new SupabaseProject(settings.ref, { settings, secrets: secretInputs });
    });
    await Promise.all(projects.map(settle));
    return run.registrations;
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

    it("declares no existing-data check when the Postgres password comes from config", async () => {
        const registrations = await buildProjects([{ ref: "given", authEmailAutoconfirm: true, postgresPassword: "a-password-of-my-own-1234" }]);
        expect(registrations.filter((r) => r.type === "command:local:Command")).toEqual([]);
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
