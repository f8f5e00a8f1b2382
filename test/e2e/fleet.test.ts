/**
 * The fleet through the real Automation API and the real Docker engine, from a fresh copy of the
 * project: two tenants on one host synced and deployed in parallel without a collision, their status,
 * on two releases (feb-2026 on Postgres 15, 0.8.2 on Postgres 17), pause and resume of one without
 * touching the other, a broken image failing one tenant only, stack locks under a concurrent update
 * and under Ctrl-C, a JWT-secret rotation, an upgrade from feb-2026 to 0.8.2, and destroy with their data.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTlsFolders, startTlsFront } from "../support/tls.js";
import { RELEASES } from "../../components/releases.js";
import { E2E_RELEASE, authAnswerSummary, authPost, e2eRegistry, engineMissingReason, expectOk, fleetCli, freshProjectCopy, inspect, removeTenantObjects, run, runOk, transcript } from "./support/workspace.js";

const TENANTS = ["e2ealpha", "e2ebeta"] as const;
const missing = engineMissingReason();
if (missing && process.env.CI !== "true") console.warn(`fleet e2e skipped: ${missing}`);

/** e2ealpha runs the feb-2026 release on Postgres 15, e2ebeta release 0.8.2 on Postgres 17. */
const RELEASE_OF = { e2ealpha: E2E_RELEASE, e2ebeta: RELEASES["0.8.2"] } as const;
/**
 * e2ebeta's host is the same daemon as a tcp:// host behind a mutual-TLS front (as `dockerd --tlsverify`):
 * every step of e2ebeta (the provider, the component's docker CLI commands, the fleet's client) goes over it.
 */
const TLS_FRONT_PORT = 25390;
const tls = makeTlsFolders();
// e2ealpha ships its logs to its own analytics; e2ebeta has none (each vector costs two containers).
const REGISTRY = e2eRegistry(TENANTS, { from: 25400, to: 25449 })
    .replace("  - ref: e2ealpha\n    host: local", "  - ref: e2ealpha\n    host: local\n    analyticsEnabled: true")
    .replace("  - ref: e2ebeta\n    host: local", "  - ref: e2ebeta\n    host: tls\n    release: \"0.8.2\"")
    .replace("tenants:\n", `  tls:\n    dockerHost: tcp://127.0.0.1:${TLS_FRONT_PORT}\n    dockerTlsCertPath: ${tls.client}\n    portRange: { from: 25450, to: 25499 }\n    bindAddress: 127.0.0.1\ntenants:\n`);
/** The registry with extra settings for every tenant, e.g. `imgproxyImage: ...`. */
const registryWith = (setting: string) => REGISTRY.replace(/(    host: (?:local|tls))\n/g, `$1\n    ${setting}\n`);
/** The imgproxy image under a second tag: a change that replaces one container and waits for its health, with no registry. */
const RETAGGED_IMGPROXY = `${E2E_RELEASE.images.imgproxy}-fleet-e2e`;

interface Finished {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

describe.skipIf(missing !== null && process.env.CI !== "true")("the fleet on the real engine", () => {
    let project = "";
    let front: ChildProcess | undefined;
    const fleet = (...args: string[]) => fleetCli(project, args);
    /** The fleet as a process of its own (no npm in between), so that a test can send it SIGINT. */
    const startFleet = (...args: string[]) => {
        const child = spawn("node", ["--import", "tsx", "stacks/cli/fleet.ts", ...args], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        const done = new Promise<Finished>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
        return { child, done };
    };
    /** Lock files of the project's file backend: one per stack while an operation holds it. */
    const locks = (): string[] => {
        const dir = join(project, ".pulumi-state", ".pulumi", "locks");
        return existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith(".json")) : [];
    };
    const states = (): Record<string, string> => {
        const result = fleet("status", "--json");
        expect(result.status, result.stderr).toBe(0);
        const parsed = JSON.parse(result.stdout) as { tenants?: { ref: string; state: string }[] } | { ref: string; state: string }[];
        const list = Array.isArray(parsed) ? parsed : (parsed.tenants ?? []);
        return Object.fromEntries(list.map((t) => [t.ref, t.state]));
    };

    beforeAll(async () => {
        if (missing) throw new Error(`CI=true but the real engine cannot run: ${missing}`);
        for (const ref of TENANTS) removeTenantObjects(ref);
        runOk("docker", ["tag", E2E_RELEASE.images.imgproxy, RETAGGED_IMGPROXY]);
        project = freshProjectCopy();
        writeFileSync(join(project, "fleet.yaml"), REGISTRY);
        front = await startTlsFront(tls.server, TLS_FRONT_PORT);
    }, 120_000);

    afterAll(() => {
        if (!project) return;
        for (const ref of TENANTS) {
            fleet("destroy", ref, "--yes", "--delete-data");
            removeTenantObjects(ref);
        }
        run("docker", ["rmi", RETAGGED_IMGPROXY]);
        front?.kill();
        rmSync(tls.root, { recursive: true, force: true });
        rmSync(project, { recursive: true, force: true });
    }, 900_000);

    it("sync --up deploys both tenants at parallelism 2 on distinct ports, and status shows them ACTIVE", () => {
        const sync = fleet("sync", "--up", "--parallel", "2");
        expect(sync.status, `${sync.stdout.slice(-4000)}\n${sync.stderr.slice(-4000)}`).toBe(0);
        const kongPorts = TENANTS.map((ref) => inspect("container", `${ref}-kong`).HostConfig.PortBindings["8000/tcp"][0].HostPort);
        expect(new Set(kongPorts).size).toBe(2);
        for (const port of kongPorts) expect(Number(port)).toBeGreaterThanOrEqual(25400);
        expect(Number(kongPorts[1])).toBeGreaterThanOrEqual(25450);
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "ACTIVE" });
    }, 1_800_000);

    it("e2ebeta's tcp:// host is reached only through its TLS front: without it, e2ebeta is UNKNOWN and e2ealpha still ACTIVE", async () => {
        const status = fleet("status", "e2ebeta", "--json");
        expect(status.stdout).toContain(`tcp://127.0.0.1:${TLS_FRONT_PORT}`);
        front!.kill();
        await new Promise((resolve) => front!.once("exit", resolve));
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "UNKNOWN" });
        front = await startTlsFront(tls.server, TLS_FRONT_PORT);
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "ACTIVE" });
    }, 120_000);

    it("info shows how to reach a tenant with its secrets hidden; logs reads one service's log through the Docker API", () => {
        const kongPort = inspect("container", "e2ealpha-kong").HostConfig.PortBindings["8000/tcp"][0].HostPort;
        const info = fleet("info", "e2ealpha", "--json");
        expect(info.status, info.stderr).toBe(0);
        const parsed = JSON.parse(info.stdout) as Record<string, string>;
        expect(parsed.apiUrl).toBe(`http://localhost:${kongPort}`);
        expect(parsed.databaseUrl).toMatch(/^postgresql:\/\/postgres\.e2ealpha:\[hidden\]@127\.0\.0\.1:\d+\/postgres$/);
        expect([parsed.serviceRoleKey, parsed.jwtSecret, parsed.dashboardPassword]).toEqual(Array(3).fill("[hidden: --show-secrets]"));
        expect(parsed.anonKey).toMatch(/^eyJ/);
        // Every line Docker itself has for the db container (both streams) is in fleet logs, under its service.
        const fromDocker = runOk("docker", ["logs", "e2ealpha-db"]) + run("docker", ["logs", "e2ealpha-db"]).stderr;
        const logs = fleet("logs", "e2ealpha", "db");
        expect(logs.status, logs.stderr).toBe(0);
        const lines = logs.stdout.trimEnd().split("\n");
        expect(lines.every((line) => line.startsWith("db        | "))).toBe(true);
        const texts = new Set(lines.map((line) => line.slice("db        | ".length).replace(/^\(stderr\) /, "")));
        const expected = fromDocker.split("\n").filter((line) => line !== "");
        expect(expected.length).toBeGreaterThan(0);
        expect(expected.filter((line) => !texts.has(line))).toEqual([]);
    }, 120_000);

    it("no tenant container reaches the Docker API, and a tenant's vector receives only its own containers' lines", async () => {
        const containersOf = (ref: string) => runOk("docker", ["ps", "--filter", `label=supabase-fleet.tenant=${ref}`, "--format", "{{.Names}}"]).trim().split("\n").sort();
        for (const ref of TENANTS) {
            for (const name of containersOf(ref)) {
                const details = inspect("container", name);
                expect((details.Mounts as { Source: string }[]).map((mount) => mount.Source).filter((source) => source.endsWith(".sock")), name).toEqual([]);
                expect((details.Config.Env as string[]).filter((entry) => entry.startsWith("DOCKER_HOST=")), name).toEqual([]);
                expect(run("docker", ["exec", name, "sh", "-c", "test -e /var/run/docker.sock && echo present || echo absent"]).stdout.trim(), name).toBe("absent");
            }
        }
        // What e2ealpha's vector got from the daemon (the stand-in keeps the records it was sent).
        const received = () =>
            JSON.parse(runOk("docker", ["run", "--rm", "--network", "e2ealpha-network", "--entrypoint", "curl", E2E_RELEASE.images.db, "-sS", "http://vector:9001/standin/received"])) as { container_name: string; source: string; log: string }[];
        await until(() => received().some((record) => record.container_name === "/e2ealpha-db"), "e2ealpha's vector to receive its db's lines", 60_000);
        const records = received();
        const senders = [...new Set(records.map((record) => record.container_name))].sort();
        expect(senders.every((sender) => sender.startsWith("/e2ealpha-")), senders.join(", ")).toBe(true);
        expect(senders).not.toContain("/e2ealpha-vector");
        // The lines are the containers' own: a line of the db's log as Docker keeps it arrived.
        const dbLines = `${runOk("docker", ["logs", "e2ealpha-db"])}${run("docker", ["logs", "e2ealpha-db"]).stderr}`.split("\n").filter((line) => line !== "");
        expect(records.some((record) => record.container_name === "/e2ealpha-db" && dbLines.includes(record.log))).toBe(true);
        // A tenant without analytics keeps Docker's default driver: its lines go nowhere else.
        for (const name of containersOf("e2ebeta")) expect(inspect("container", name).HostConfig.LogConfig.Type, name).toBe("json-file");
        for (const name of containersOf("e2ealpha").filter((n) => n !== "e2ealpha-vector")) {
            expect(inspect("container", name).HostConfig.LogConfig.Config["fluentd-address"], name).toBe("unix:///run/supabase-fleet/e2ealpha/fluent.sock");
        }
    }, 300_000);

    it("pause stops one tenant's containers and leaves the other running; resume brings it back", () => {
        const betaStarted = inspect("container", "e2ebeta-db").State.StartedAt;
        expectOk(fleet("pause", "e2ealpha"));
        expect(inspect("container", "e2ealpha-db").State.Running).toBe(false);
        expect(states()).toEqual({ e2ealpha: "PAUSED", e2ebeta: "ACTIVE" });
        expectOk(fleet("resume", "e2ealpha"));
        expect(inspect("container", "e2ealpha-db").State.Running).toBe(true);
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "ACTIVE" });
        expect(inspect("container", "e2ebeta-db").State.StartedAt).toBe(betaStarted);
    }, 900_000);

    it("a tenant whose image cannot be had ends FAILED, and the other tenant is untouched", () => {
        const betaContainerIds = () => ["db", "kong", "imgproxy"].map((service) => inspect("container", `e2ebeta-${service}`).Id);
        const betaBefore = betaContainerIds();
        writeFileSync(join(project, "fleet.yaml"), REGISTRY.replace("  - ref: e2ealpha\n    host: local", "  - ref: e2ealpha\n    host: local\n    imgproxyImage: supabase-fleet-test/no-such-image:1"));
        expectOk(fleet("sync"));
        const up = fleet("up", "--all", "--parallel", "2");
        expect(up.status).toBe(1);
        expect(up.stdout).toMatch(/e2ealpha +FAILED/);
        expect(up.stdout).toMatch(/e2ebeta +ok/);
        expect(states()).toEqual({ e2ealpha: "FAILED", e2ebeta: "ACTIVE" });
        expect(betaContainerIds()).toEqual(betaBefore);

        writeFileSync(join(project, "fleet.yaml"), REGISTRY);
        expectOk(fleet("sync"));
        expectOk(fleet("up", "e2ealpha"));
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "ACTIVE" });
    }, 900_000);

    it("a second update of a stack while one runs is reported as locked, and Ctrl-C during up --all leaves no lock behind", async () => {
        writeFileSync(join(project, "fleet.yaml"), registryWith(`imgproxyImage: ${RETAGGED_IMGPROXY}`));
        expectOk(fleet("sync"));
        const first = startFleet("up", "e2ebeta");
        await until(() => locks().length > 0, "the first update to lock e2ebeta");
        const second = fleet("up", "e2ebeta");
        expect(second.status).toBe(1);
        expect(`${second.stdout}${second.stderr}`).toMatch(/e2ebeta.*locked/);
        expect((await first.done).code).toBe(0);
        expect(locks()).toEqual([]);

        // Both tenants replace imgproxy (back to the pinned image); interrupt while both hold their lock.
        writeFileSync(join(project, "fleet.yaml"), REGISTRY);
        expectOk(fleet("sync"));
        const interrupted = startFleet("up", "--all", "--parallel", "2");
        await until(() => locks().length === 2, "both updates to lock their stacks");
        interrupted.child.kill("SIGINT");
        const result = await interrupted.done;
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain("cancelling in-flight up operations");
        expect(locks()).toEqual([]);
        expectOk(fleet("up", "--all", "--parallel", "2"));
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "ACTIVE" });
        for (const ref of TENANTS) expect(inspect("container", `${ref}-imgproxy`).Config.Image).toBe(RELEASE_OF[ref].images.imgproxy);
    }, 900_000);

    it("rotate jwt-secret replaces exactly the containers that hold the secret or a key; the real GoTrue refuses sessions of the old secret", async () => {
        // A feb-2026 tenant: its sessions are signed with the JWT secret itself (0.8.2's with the ES256 key).
        const ref = "e2ealpha";
        const secrets = () => {
            const outputs = fleet("outputs", ref, "--show-secrets", "--json");
            expect(outputs.status, outputs.stderr).toBe(0);
            return JSON.parse(outputs.stdout) as Record<string, string>;
        };
        const before = secrets();
        const names = () => runOk("docker", ["ps", "-a", "--filter", `label=supabase-fleet.tenant=${ref}`, "--format", "{{.Names}}"]).trim().split("\n").sort();
        const ids = () => Object.fromEntries(names().map((name) => [name, inspect("container", name).Id as string]));
        // What holds the secret or a key signed with it, read from Docker itself.
        const holders = names().filter((name) => (inspect("container", name).Config.Env as string[]).some((entry) => [before.jwtSecret!, before.anonKey!, before.serviceRoleKey!].some((value) => entry.includes(value))));
        expect(holders).toEqual(expect.arrayContaining([`${ref}-db`, `${ref}-auth`, `${ref}-rest`, `${ref}-kong`, `${ref}-realtime`, `${ref}-storage`]));
        const auth = (args: string[]) => runOk("docker", ["run", "--rm", "--network", `${ref}-network`, "--entrypoint", "curl", E2E_RELEASE.images.db, "-sS", ...args]);
        const session = (email: string, path: string) => {
            // A sign-up once only (one that timed out may have made the user); a sign-in while auth is busy again.
            const answer = authPost(ref, path, { email, password: "a password for the rotation" }, path === "/signup" ? { busyForMs: 0 } : {});
            expect(typeof answer.body.access_token, authAnswerSummary(answer)).toBe("string");
            return answer.body as { access_token?: string };
        };
        const userStatus = (token: string) => auth(["-o", "/dev/null", "-w", "%{http_code}", "-H", `Authorization: Bearer ${token}`, "http://auth:9999/user"]);
        const oldSession = session("rotation@example.com", "/signup").access_token!;
        expect(userStatus(oldSession)).toBe("200");
        const idsBefore = ids();

        const preview = fleet("rotate", ref, "jwt-secret", "--preview", "--json");
        expect(preview.status, preview.stderr.slice(-3000)).toBe(0);
        expect((JSON.parse(preview.stdout) as { restarts: string[] }).restarts).toEqual(holders);
        expect(ids()).toEqual(idsBefore);

        const rotate = fleet("rotate", ref, "jwt-secret");
        expectOk(rotate);
        const after = secrets();
        expect(after.jwtSecret).not.toBe(before.jwtSecret);
        expect(`${rotate.stdout}${rotate.stderr}`).not.toContain(after.jwtSecret!);
        const idsAfter = ids();
        for (const name of names()) expect(idsAfter[name] === idsBefore[name], name).toBe(!holders.includes(name));
        // The keys are signed with the new secret, and no longer verify with the old one.
        await expect(jwtVerify(after.anonKey!, new TextEncoder().encode(after.jwtSecret!))).resolves.toBeDefined();
        await expect(jwtVerify(after.anonKey!, new TextEncoder().encode(before.jwtSecret!))).rejects.toThrow();
        // The real GoTrue: a session of the old secret is refused (403, bad_jwt), a new sign-in works.
        expect(userStatus(oldSession)).toBe("403");
        expect(userStatus(session("rotation@example.com", "/token?grant_type=password").access_token!)).toBe("200");
        // The database's copy for SQL (release feb-2026) is the new secret, compared by digest.
        const digest = runOk("docker", ["exec", `${ref}-db`, "psql", "-h", "127.0.0.1", "-U", "supabase_admin", "-d", "postgres", "-At", "-c", "SELECT md5(current_setting('app.settings.jwt_secret'))"]).trim();
        expect(digest).toBe(createHash("md5").update(after.jwtSecret!).digest("hex"));
    }, 900_000);

    it("e2ebeta runs release 0.8.2 for real: Postgres 17 without the JWT secret in SQL, and the real GoTrue signs sessions ES256 with the tenant's key", async () => {
        const sql = (ref: string, query: string) => runOk("docker", ["exec", `${ref}-db`, "psql", "-h", "127.0.0.1", "-U", "supabase_admin", "-d", "postgres", "-At", "-c", query]).trim();
        expect(sql("e2ebeta", "SHOW server_version_num").slice(0, 2)).toBe("17");
        expect(sql("e2ealpha", "SHOW server_version_num").slice(0, 2)).toBe("15");
        expect(inspect("container", "e2ebeta-db").Config.Image).toBe(RELEASES["0.8.2"].images.db);
        expect(sql("e2ebeta", "SELECT coalesce(current_setting('app.settings.jwt_secret', true), '')")).toBe("");
        const outputs = JSON.parse(fleet("outputs", "e2ebeta", "--show-secrets", "--json").stdout) as Record<string, string>;
        expect(outputs.publishableKey).toMatch(/^sb_publishable_/);
        const body = JSON.stringify({ email: "es256@example.com", password: "a password for release 0.8.2" });
        const signUp = JSON.parse(runOk("docker", ["run", "--rm", "--network", "e2ebeta-network", "--entrypoint", "curl", E2E_RELEASE.images.db, "-sS", "-X", "POST", "http://auth:9999/signup", "-H", "Content-Type: application/json", "-d", body])) as { access_token?: string };
        const token = signUp.access_token!;
        const jwks = JSON.parse(outputs.jwtJwks!) as { keys: { kid?: string; kty: string }[] };
        const ecKey = jwks.keys.find((key) => key.kty === "EC")!;
        expect(decodeProtectedHeader(token)).toMatchObject({ alg: "ES256", kid: ecKey.kid });
        expect((await jwtVerify(token, createLocalJWKSet({ keys: jwks.keys.filter((key) => key.kty === "EC") } as never))).payload.email).toBe("es256@example.com");
    }, 300_000);

    it("e2ebeta, a new 0.8.2 tenant, runs Envoy in its gateway slot: a config Envoy 1.39 loads, the keys on a tmpfs only, port 8000 alone; e2ealpha keeps Kong", () => {
        const gateway = "e2ebeta-kong";
        expect(inspect("container", gateway).Config.Image).toBe(RELEASES["0.8.2"].envoyImage);
        expect(inspect("container", "e2ealpha-kong").Config.Image).toBe(E2E_RELEASE.images.kong);
        // Recorded in the stack when fleet sync created it, so a later change of the default never moves it.
        expect(readFileSync(join(project, "Pulumi.e2ebeta.yaml"), "utf8")).toMatch(/^  supabase-fleet:gateway: envoy$/m);
        // The stand-in runs envoy-check on the filled-in files before it serves (exit 1 otherwise).
        expect(runOk("docker", ["logs", gateway])).toMatch(/envoy-check: ok \(7 clusters, 1 listeners, \d+ routes\)/);
        expect(inspect("container", gateway).Config.User).toBe("101:101");
        expect(inspect("container", gateway).HostConfig.Tmpfs).toEqual({ "/run/envoy": "rw,nosuid,nodev,noexec,size=1m,mode=1777" });
        expect(runOk("docker", ["exec", gateway, "stat", "-c", "%a %u", "/run/envoy/lds.yaml"]).trim()).toBe("600 101");
        const outputs = JSON.parse(fleet("outputs", "e2ebeta", "--show-secrets", "--json").stdout) as Record<string, string>;
        const filled = runOk("docker", ["exec", gateway, "cat", "/run/envoy/lds.yaml"]);
        for (const key of [outputs.anonKey!, outputs.serviceRoleKey!, outputs.secretKey!, outputs.publishableKey!]) expect(filled).toContain(key);
        // The uploads and the container's layer hold no key.
        const changed = runOk("docker", ["diff", gateway]).trim().split("\n");
        expect(changed.filter((line) => line.includes("/run/envoy/"))).toEqual([]);
        for (const upload of ["/etc/envoy/envoy.yaml", "/etc/envoy/cds.yaml", "/etc/envoy/lds.template.yaml"]) {
            const content = runOk("docker", ["exec", gateway, "cat", upload]);
            for (const key of [outputs.anonKey!, outputs.serviceRoleKey!, outputs.secretKey!]) expect(content).not.toContain(key);
        }
        const ports = inspect("container", gateway).HostConfig.PortBindings as Record<string, unknown>;
        expect(Object.keys(ports)).toEqual(["8000/tcp"]);
        expect(inspect("container", gateway).State.Health.Status).toBe("healthy");
    }, 120_000);

    it("upgrade --release 0.8.2 moves the feb-2026 tenant with its Postgres 15 data and rows, and removes the database's copy of the JWT secret", () => {
        const sql = (query: string) => runOk("docker", ["exec", "e2ealpha-db", "psql", "-h", "127.0.0.1", "-U", "supabase_admin", "-d", "postgres", "-At", "-c", query]).trim();
        sql("CREATE TABLE upgrade_probe (note text); INSERT INTO upgrade_probe VALUES ('written on feb-2026')");
        // While fleet.yaml's defaults state feb-2026, the registry wins: the operator takes it out first.
        const refused = fleet("upgrade", "--all", "--release", "0.8.2");
        expect([refused.status, refused.stderr.trim()]).toEqual([2, "fleet: e2ealpha's release is set to feb-2026 in fleet.yaml: change it there to 0.8.2 (or remove it), then run fleet upgrade"]);
        writeFileSync(join(project, "fleet.yaml"), REGISTRY.replace(`  release: ${E2E_RELEASE.name}\n`, ""));

        const preview = fleet("upgrade", "--all", "--release", "0.8.2", "--preview");
        expect(preview.status, preview.stderr.slice(-3000)).toBe(0);
        expect(preview.stdout).toContain("already on 0.8.2: e2ebeta");
        expect(preview.stdout).toContain(`e2ealpha: feb-2026 to 0.8.2\n  db image: ${RELEASES["0.8.2"].olderPostgresImages![15]}`);
        const dbBefore = inspect("container", "e2ealpha-db").Id;

        const upgraded = fleet("upgrade", "--all", "--release", "0.8.2", "--canary", "1");
        expectOk(upgraded);
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "ACTIVE" });
        expect(inspect("container", "e2ealpha-db").Id).not.toBe(dbBefore); // replaced, on the same data volume
        expect(inspect("container", "e2ealpha-db").Config.Image).toBe(RELEASES["0.8.2"].olderPostgresImages![15]);
        expect(sql("SHOW server_version_num").slice(0, 2)).toBe("15");
        expect(sql("SELECT note FROM upgrade_probe")).toBe("written on feb-2026");
        expect(sql("SELECT coalesce(current_setting('app.settings.jwt_secret', true), '')")).toBe("");
        const outputs = JSON.parse(fleet("outputs", "e2ealpha", "--json").stdout) as Record<string, string>;
        expect(outputs.release).toBe("0.8.2");
        expect(outputs.publishableKey).toMatch(/^sb_publishable_/);
        // The release is the stack's own now: sync with fleet.yaml silent about it leaves it.
        expectOk(fleet("sync"));
        expect(fleet("upgrade", "e2ealpha", "--release", "0.8.2").stdout).toBe("already on 0.8.2: e2ealpha\nnothing to upgrade\n");
    }, 900_000);

    it("upgrade-db moves e2ealpha's data to Postgres 17 on a new volume with its rows, and --rollback brings Postgres 15 back with its data", () => {
        const sql = (query: string) => runOk("docker", ["exec", "e2ealpha-db", "psql", "-h", "127.0.0.1", "-U", "supabase_admin", "-d", "postgres", "-At", "-c", query]).trim();
        const preview = fleet("upgrade-db", "e2ealpha", "--preview");
        expect(preview.status, preview.stderr.slice(-3000)).toBe(0);
        expect(preview.stdout).toContain(`e2ealpha: Postgres 15 on e2ealpha-db-data to Postgres 17 on e2ealpha-db-data-g2 (${RELEASES["0.8.2"].images.db})`);

        // A volume of the new generation's name already on the host would be taken as it is: refused.
        runOk("docker", ["volume", "create", "e2ealpha-db-data-g2"]);
        const occupied = fleet("upgrade-db", "e2ealpha");
        expect(occupied.status, transcript(occupied)).toBe(2);
        expect(occupied.stdout).toContain("refused: volume e2ealpha-db-data-g2 is already on e2ealpha's host, and the new generation must start empty");
        runOk("docker", ["volume", "rm", "e2ealpha-db-data-g2"]);

        const upgraded = fleet("upgrade-db", "e2ealpha");
        expectOk(upgraded);
        expect(sql("SHOW server_version_num").slice(0, 2)).toBe("17");
        expect(sql("SELECT note FROM upgrade_probe")).toBe("written on feb-2026");
        expect(inspect("container", "e2ealpha-db").Config.Image).toBe(RELEASES["0.8.2"].images.db);
        expect(inspect("container", "e2ealpha-db").Mounts.map((mount: { Name?: string }) => mount.Name)).toContain("e2ealpha-db-data-g2");
        expect(inspect("volume", "e2ealpha-db-data").Name).toBe("e2ealpha-db-data"); // kept, untouched
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "ACTIVE" });
        sql("INSERT INTO upgrade_probe VALUES ('written on 17')");

        const rolledBack = fleet("upgrade-db", "e2ealpha", "--rollback");
        expectOk(rolledBack);
        expect(sql("SHOW server_version_num").slice(0, 2)).toBe("15");
        expect(sql("SELECT string_agg(note, ',') FROM upgrade_probe")).toBe("written on feb-2026");
        expect(inspect("volume", "e2ealpha-db-data-g2").Name).toBe("e2ealpha-db-data-g2"); // what was written on 17 is kept too
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "ACTIVE" });
    }, 1_200_000);

    it("a tenant created --config-only is destroyed without ever having been deployed", () => {
        // Its generated secrets never got a value: the program run of the destroy must not sign with them.
        const created = fleet("create", "e2egamma", "--host", "local", "--config-only");
        expect(created.status, created.stderr.slice(-3000)).toBe(0);
        const destroyed = fleet("destroy", "e2egamma", "--yes");
        expectOk(destroyed);
        expect(fleet("list").stdout).not.toContain("e2egamma");
    }, 300_000);

    it("destroy --delete-data removes a tenant's containers, volumes and log folder, and nothing of the other's, on a second try when a volume was held past the provider's wait", async () => {
        expect(existsSync("/run/supabase-fleet/e2ealpha")).toBe(true); // made by the daemon for e2ealpha's vector
        // A container outside the stack holds the kept data volume, as a loaded daemon may hold a removed
        // container's: the provider gives up on it after 30 s, and it is let go once that first try has
        // ended (its lock released), before the fleet's second try.
        const holder = "e2ealpha-volume-holder";
        run("docker", ["rm", "-f", holder]);
        runOk("docker", ["run", "-d", "--name", holder, "--network", "none", "-v", "e2ealpha-db-data-g2:/held", "--entrypoint", "sleep", E2E_RELEASE.images.db, "900"]);
        const destroying = startFleet("destroy", "e2ealpha", "--yes", "--delete-data");
        try {
            await until(() => locks().length > 0, "the destroy to lock e2ealpha", 300_000);
            await until(() => locks().length === 0, "the first try to end", 300_000);
        } finally {
            run("docker", ["rm", "-f", holder]);
        }
        const finished = await destroying.done;
        const destroyed = { status: finished.code, stdout: finished.stdout, stderr: finished.stderr };
        expectOk(destroyed);
        expect(destroyed.stdout).toMatch(/done on the second try \(the first failed: .*in_use/);
        expect(destroyed.stdout).not.toContain("is left on the host");
        expect(existsSync("/run/supabase-fleet/e2ealpha"), destroyed.stderr.slice(-3000)).toBe(false);
        expect(existsSync("/run/supabase-fleet")).toBe(true);
        expect(run("docker", ["ps", "-aq", "--filter", "label=supabase-fleet.tenant=e2ealpha"]).stdout.trim()).toBe("");
        expect(run("docker", ["volume", "ls", "-q", "--filter", "label=supabase-fleet.tenant=e2ealpha"]).stdout.trim()).toBe("");
        expect(inspect("container", "e2ebeta-db").State.Running).toBe(true);
    }, 900_000);
});
