import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../stacks/fleet/cli/help.js";
import { cliHarness as setup, threeTenantRegistry } from "./helpers.js";

const repoRoot = join(import.meta.dirname, "..", "..");

const REGISTRY = threeTenantRegistry();

describe("fleet CLI", () => {
    it("documents every command in --help and per command", async () => {
        const { run } = setup();
        const main = await run(["--help"]);
        expect(main.code).toBe(0);
        for (const name of Object.keys(COMMANDS)) {
            expect(main.stdout).toContain(COMMANDS[name]!.usage);
            const own = await run([name, "--help"]);
            expect([own.code, own.stdout.split("\n")[0]]).toEqual([0, `Usage: ${COMMANDS[name]!.usage}`]);
        }
    });

    it.each([
        [["frobnicate"], 'fleet: unknown command "frobnicate"; commands: sync, create, up, preview, refresh, destroy, pause, resume, status, list, hosts, trust-host, destroy-host, orphans, outputs, info, logs, backup, backups, restore, drill, rotate, upgrade, upgrade-db, move (see fleet --help)\n'],
        [["up"], "fleet: name at least one tenant ref, or pass --all for every tenant\n"],
        [["up", "alpha", "--all"], "fleet: give tenant refs or --all, not both\n"],
        [["up", "--all", "--parallel", "0"], "fleet: --parallel: must be a whole number from 1 to 64 (got 0)\n"],
        [["pause", "alpha", "--diff"], "fleet: fleet pause does not take --diff (see fleet pause --help)\n"],
        [["up", "ghost"], 'fleet: unknown tenant "ghost": no such stack in memory:// (in-process, nothing is deployed) (fleet list shows the tenants; fleet create <ref> or fleet sync makes one)\n'],
        [["create", "alpha", "--host", "mars"], "fleet: --host mars: unknown host (defined: local)\n"],
    ])("exits 2 with one line for usage error %j", async (argv, message) => {
        const { run } = setup(REGISTRY);
        const result = await run(argv);
        expect([result.code, result.stderr]).toEqual([2, message]);
    });

    it("rejects an unknown option with exit 2", async () => {
        const { run } = setup(REGISTRY);
        const result = await run(["up", "--bogus"]);
        expect(result.code).toBe(2);
        expect(result.stderr.startsWith("fleet: Unknown option '--bogus'.")).toBe(true);
        expect(result.stderr.endsWith("(see fleet --help)\n")).toBe(true);
    });

    it("reports registry problems one per line with exit 2", async () => {
        const { run } = setup("defaults:\n  authEmailAutoconfirm: true\ntenants:\n  - ref: Alpha\n  - ref: beta\n    jwtSecret: plain-text-secret-value-that-is-long-enough\n");
        const result = await run(["list"]);
        expect(result.code).toBe(2);
        expect(result.stderr.split("\n").filter(Boolean)).toEqual([
            "fleet: fleet.yaml is not valid:",
            "  - tenants[0] (Alpha).ref: must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit (it is used in every Docker name and host name) (got \"Alpha\")",
            "  - tenants[1] (beta).jwtSecret: is a secret and must not be written in the registry; use { fromEnv: VARIABLE } or leave it unset to have it generated",
        ]);
    });

    it("list, status and outputs work without the secrets fleet.yaml takes from the environment; commands that write config still need them", async () => {
        const withSecret = REGISTRY.replace("  - ref: bravo", "  - ref: bravo\n    smtpHost: smtp.example.com\n    smtpUser: mailer\n    smtpPassword: { fromEnv: BRAVO_SMTP }");
        const { run, env } = setup(withSecret, { resourceCount: 4 });
        env.BRAVO_SMTP = "smtp-password-from-ci";
        expect((await run(["sync", "--up"])).code).toBe(0);
        delete env.BRAVO_SMTP;
        for (const argv of [["list"], ["status"], ["outputs", "bravo"]]) {
            const result = await run(argv);
            expect([argv, result.code, result.stderr]).toEqual([argv, 0, ""]);
        }
        expect((await run(["list"])).stdout).toContain("bravo");
        const sync = await run(["sync", "--dry-run"]);
        expect([sync.code, sync.stderr]).toEqual([2, "fleet: fleet.yaml is not valid:\n  - tenants[1] (bravo).smtpPassword: environment variable BRAVO_SMTP is not set (referenced by fromEnv)\n"]);
    });

    it("syncs, deploys, and exits 1 with a summary when one tenant fails", async () => {
        const { run, engine } = setup(REGISTRY, { resourceCount: 4 });
        const sync = await run(["sync"]);
        expect(sync.code).toBe(0);
        expect(sync.stdout).toContain("sync: 3 succeeded");
        engine.failNext("bravo", "update", "error: image pull failed");
        const up = await run(["up", "--all", "--parallel", "2"]);
        expect(up.code).toBe(1);
        expect(up.stdout.trim().split("\n").slice(-6)).toEqual([
            "TENANT   RESULT  TIME  DETAIL",
            "alpha    ok      0s    4 create",
            "bravo    FAILED  0s    error: image pull failed",
            "charlie  ok      0s    4 create",
            "",
            "up: 2 succeeded, 1 failed",
        ]);
        expect(up.stderr).toContain("bravo: up failed after 0s: error: image pull failed");
    });

    it("preview --all --comment writes one pull-request comment covering every tenant, failures included", async () => {
        const { run, engine, cwd } = setup(REGISTRY, { resourceCount: 4 });
        expect((await run(["sync", "--up"])).code).toBe(0);
        writeFileSync(join(cwd, "fleet.yaml"), REGISTRY.replace("  - ref: alpha", "  - ref: alpha\n    siteUrl: https://alpha.example.com"));
        expect((await run(["sync"])).code).toBe(0);
        engine.failNext("charlie", "preview", "error: could not reach the Docker host");
        const preview = await run(["preview", "--all", "--comment", "preview.md"]);
        expect(preview.code).toBe(1);
        expect(preview.stdout).toContain("wrote the pull-request comment for 3 tenant(s) to preview.md");
        const comment = readFileSync(join(cwd, "preview.md"), "utf8");
        expect(comment.startsWith("<!-- supabase-fleet-preview -->")).toBe(true);
        for (const ref of ["alpha", "bravo", "charlie"]) expect(comment).toContain(ref);
        expect(comment).toContain("could not reach the Docker host");
        // The release each tenant's stack records (sync created them on the default); charlie's preview failed.
        expect(comment).toContain("**Releases** · `0.8.2`: `alpha`, `bravo`\n");
    });

    it("orphans lists labelled tenants without a stack, and changes nothing", async () => {
        const { run, docker } = setup(REGISTRY, { resourceCount: 4 });
        expect((await run(["sync", "--up"])).code).toBe(0);
        // A tenant whose stack is gone but whose objects (here a stopped db) are still on the host.
        docker.get("unix:///var/run/docker.sock").setStates("ghost", { db: "stopped" });
        const orphans = await run(["orphans"]);
        expect(orphans.code).toBe(0);
        expect(orphans.stdout.split("\n").slice(0, 2)).toEqual(["TENANT  DOCKER HOST", "ghost   unix:///var/run/docker.sock"]);
        expect(JSON.parse((await run(["orphans", "--json"])).stdout)).toEqual([{ ref: "ghost", dockerHost: "unix:///var/run/docker.sock" }]);
        expect(docker.get("unix:///var/run/docker.sock").calls.filter((c) => /^(pause|resume) /.test(c))).toEqual([]);
        expect((await run(["orphans", "alpha"])).code).toBe(2);
    });

    it("prints one JSON document on stdout with --json", async () => {
        const { run } = setup(REGISTRY, { resourceCount: 2 });
        await run(["sync"]);
        const up = await run(["up", "alpha", "--json"]);
        expect(up.code).toBe(0);
        const document = JSON.parse(up.stdout) as { counts: Record<string, number>; tenants: Array<{ ref: string; outcome: string }> };
        expect(document.counts).toEqual({ succeeded: 1, failed: 0, locked: 0, cancelled: 0 });
        expect(document.tenants.map((t) => [t.ref, t.outcome])).toEqual([["alpha", "succeeded"]]);
        expect(up.stderr.split("\n").filter(Boolean).map((line) => (JSON.parse(line) as { event: string }).event)).toEqual(["start", "finish"]);

        const status = await run(["status", "alpha", "--json"]);
        const [alpha] = JSON.parse(status.stdout) as Array<{ ref: string; state: string; urls: { api: string } }>;
        expect([alpha!.ref, alpha!.state, alpha!.urls.api]).toEqual(["alpha", "ACTIVE", "http://localhost:40000"]);
    });

    it("info shows how to reach a tenant, with only the password of a database URL hidden unless asked", async () => {
        const { run } = setup(REGISTRY, { resourceCount: 2 });
        expect((await run(["create", "alpha"])).code).toBe(0);
        const text = await run(["info", "alpha"]);
        expect(text.code).toBe(0);
        expect(text.stdout).toContain("API URL: http://localhost:40000\n");
        expect(text.stdout).toContain("DB URL (session): postgresql://postgres.alpha:[hidden]@127.0.0.1:40002/postgres\n");
        expect(text.stdout).not.toContain("memory-password");
        expect(text.stdout).not.toContain("memory-anon-key");
        // A 0.8.2 tenant: the publishable key is public, the secret key hidden.
        expect(text.stdout).toContain("publishable key: sb_publishable_memory-alpha\n");
        expect(text.stdout).toContain(`secret key: [hidden: --show-secrets]\n`);
        const shown = JSON.parse((await run(["info", "alpha", "--json", "--show-secrets"])).stdout);
        expect([shown.databaseUrl, shown.anonKey, shown.release, shown.secretKey]).toEqual(["postgresql://postgres.alpha:memory-password-alpha@127.0.0.1:40002/postgres", "memory-anon-key-alpha", "0.8.2", "sb_secret_memory-alpha"]);
        expect((await run(["create", "bravo", "--config-only"])).code).toBe(0);
        expect(await run(["info", "bravo"])).toMatchObject({ code: 1, stderr: 'fleet: bravo has no outputs yet: deploy it first with "fleet up bravo"\n' });
    });

    it("logs prints one service's lines from the tenant's Docker host, as text or JSON lines", async () => {
        const { run, docker } = setup(REGISTRY, { resourceCount: 2 });
        expect((await run(["create", "alpha"])).code).toBe(0);
        const host = docker.get("unix:///var/run/docker.sock");
        host.logLines.set("alpha", [
            { service: "db", stream: "stdout", time: "2026-12-03T10:00:00.000000001Z", text: "ready to accept connections" },
            { service: "auth", stream: "stderr", time: "2026-12-03T10:00:01Z", text: "listening" },
        ]);
        expect(await run(["logs", "alpha", "auth"])).toMatchObject({ code: 0, stdout: "auth      | (stderr) listening\n" });
        const json = await run(["logs", "alpha", "--json"]);
        expect(json.stdout.trim().split("\n").map((line) => JSON.parse(line).service)).toEqual(["db", "auth"]);
        expect(host.calls.filter((call) => call.startsWith("logs"))).toEqual(["logs alpha", "logs alpha"]);
    });

    it.each([
        [["logs"], "fleet: fleet logs needs a tenant ref (see fleet logs --help)\n"],
        [["logs", "alpha", "postgres"], 'fleet: fleet logs: unknown service "postgres"; services: db, vector, analytics, kong, auth, rest, realtime, storage, imgproxy, meta, functions, studio, supavisor\n'],
        [["logs", "alpha", "--since", "yesterday"], "fleet: --since: must be a duration such as 30s, 10m, 2h or 1d, a date such as 2026-12-01T08:00:00Z, or Unix seconds\n"],
        [["logs", "alpha", "--tail", "ten"], "fleet: --tail: must be a whole number of lines per container\n"],
        [["info"], "fleet: fleet info needs a tenant ref (see fleet info --help)\n"],
    ])("logs and info refuse %j with one line, exit 2", async (argv, message) => {
        const { run } = setup(REGISTRY);
        expect(await run(argv)).toMatchObject({ code: 2, stderr: message });
    });

    it("create reports the allocated ports; outputs masks secrets unless asked", async () => {
        const { run } = setup(REGISTRY, { resourceCount: 2 });
        const created = await run(["create", "alpha"]);
        expect(created.code).toBe(0);
        expect(created.stdout.split("\n")[0]).toBe(
            "created alpha on host local (unix:///var/run/docker.sock): kongHttpPort=40000 (allocated), kongHttpsPort=40001 (allocated), postgresPort=40002 (allocated), poolerTransactionPort=40003 (allocated)",
        );
        expect(JSON.parse((await run(["outputs", "alpha", "--json"])).stdout)).toEqual({ ref: "alpha", apiUrl: "http://localhost:40000", anonKey: "[secret]", publishableKey: "sb_publishable_memory-alpha", secretKey: "[secret]", postgresSessionUrl: "[secret]" });
        expect(JSON.parse((await run(["outputs", "alpha", "--json", "--show-secrets"])).stdout).anonKey).toBe("memory-anon-key-alpha");
        const again = await run(["create", "alpha"]);
        expect([again.code, again.stderr]).toEqual([2, 'fleet: tenant "alpha" already exists; fleet up alpha deploys it, fleet destroy alpha removes it\n']);
    });

    it("Ctrl-C cancels in-flight updates, exits 130 and leaves no stack locked", async () => {
        const { run, engine } = setup(REGISTRY, { resourceCount: 100, stepDelayMs: 10 });
        await run(["sync"]);
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 80);
        const up = await run(["up", "--all", "--parallel", "2"], controller.signal);
        expect(up.code).toBe(130);
        expect(up.stdout).toContain("up: 3 cancelled (interrupted)");
        expect(up.stderr).toContain("cancelling in-flight up operations");
        expect(["alpha", "bravo", "charlie"].filter((ref) => engine.isLocked(ref))).toEqual([]);
    });

    it("destroy needs --yes and says what it will keep", async () => {
        const { run, engine } = setup(REGISTRY, { resourceCount: 2 });
        await run(["create", "alpha"]);
        const refused = await run(["destroy", "alpha"]);
        expect([refused.code, refused.stderr]).toEqual([
            2,
            'fleet: destroy removes every container, the network and the stack of alpha; data volumes are kept, and the stack\'s secrets go with the stack: to bring alpha back on its data later, first save them with "fleet outputs alpha --show-secrets". Add --yes to confirm\n',
        ]);
        const destroyed = await run(["destroy", "alpha", "--yes"]);
        expect(destroyed.code).toBe(0);
        expect(destroyed.stdout).toContain("alpha   ok      0s    2 delete; stack removed; data kept");
        expect(engine.has("alpha")).toBe(false);
    });

    it("backup writes into --dir, backups lists it, and restore refuses a missing --from, an unknown backup and a live target with exit 2", async () => {
        const { run, docker, cwd } = setup(REGISTRY, { resourceCount: 2 });
        await run(["create", "alpha"]);
        await run(["up", "alpha"]);
        // The db container, played: the version, the databases, and dumps.
        docker.get("unix:///var/run/docker.sock").execHandler = (_ref, _service, command, stdin) => {
            if (stdin.includes("SHOW server_version")) return { exitCode: 0, stderr: "", stdout: "15.8\npostgres\n" };
            return { exitCode: 0, stderr: "", stdout: `output of ${command.command[0]}` };
        };
        const dir = join(cwd, "nightly");
        const backup = await run(["backup", "alpha", "--dir", dir]);
        expect(backup.code, backup.stderr).toBe(0);
        expect(backup.stdout).toContain(`backups are in ${dir}`);
        const listed = JSON.parse((await run(["backups", "alpha", "--dir", dir, "--json"])).stdout) as { id: string; databases: string[] }[];
        expect(listed.map((entry) => entry.databases)).toEqual([["postgres"]]);
        expect((await run(["backups", "bravo", "--dir", dir])).stdout).toBe(`no backups of bravo in ${dir} (fleet backup bravo makes one)\n`);

        expect(await run(["restore", "alpha", "--dir", dir])).toMatchObject({ code: 2, stderr: "fleet: fleet restore needs --from <backup id|latest> (fleet backups <ref> lists them)\n" });
        expect((await run(["restore", "alpha", "--dir", dir, "--from", "20200101T000000Z"])).code).toBe(2);
        const overLive = await run(["restore", "alpha", "--dir", dir, "--from", listed[0]!.id]);
        expect([overLive.code, overLive.stderr]).toEqual([2, "fleet: alpha still exists: a restore never writes over a tenant; restore into a new tenant with --into <new-ref> (or destroy alpha first, if its data is to go)\n"]);
        await run(["create", "bravo"]);
        const intoLive = await run(["restore", "alpha", "--dir", dir, "--from", "latest", "--into", "bravo"]);
        expect([intoLive.code, intoLive.stderr]).toEqual([2, "fleet: bravo already exists: a restore goes into a new tenant only; pick another --into ref\n"]);
    });

    it("rotate writes a new encrypted secret and deploys it; --preview puts the config back; sync keeps a rotated secret", async () => {
        const { run, engine } = setup(REGISTRY, { resourceCount: 2 });
        await run(["sync", "--up"]);
        const before = await engine.getConfig("alpha");
        expect(before.postgresPassword).toBeUndefined();

        const preview = await run(["rotate", "alpha", "postgres-password", "--preview"]);
        expect(preview.code, preview.stderr).toBe(0);
        expect(preview.stdout).toContain("nothing was changed");
        expect(await engine.getConfig("alpha")).toEqual(before);

        const rotated = await run(["rotate", "alpha", "postgres-password"]);
        expect(rotated.code, rotated.stderr).toBe(0);
        const password = (await engine.getConfig("alpha")).postgresPassword!;
        expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(`${rotated.stdout}${rotated.stderr}`).not.toContain(password);
        // fleet sync does not take it away: the registry does not state it, and the stack owns it now.
        expect((await run(["sync"])).code).toBe(0);
        expect((await engine.getConfig("alpha")).postgresPassword).toBe(password);
        // A second rotation gives another value.
        await run(["rotate", "alpha", "postgres-password"]);
        expect((await engine.getConfig("alpha")).postgresPassword).not.toBe(password);
    });

    it.each([
        [["rotate", "alpha"], "fleet: fleet rotate takes a tenant ref and what to rotate: fleet rotate <ref> <postgres-password|dashboard-password|jwt-secret|signing-key|api-keys|smtp-password|s3-keys|oauth-secret>\n"],
        [["rotate", "alpha", "jwt"], 'fleet: fleet rotate needs what to rotate after the ref: one of postgres-password, dashboard-password, jwt-secret, signing-key, api-keys, smtp-password, s3-keys, oauth-secret (got "jwt")\n'],
    ])("rotate refuses %j with one line, exit 2", async (argv, message) => {
        const { run } = setup(REGISTRY);
        await run(["sync"]);
        expect(await run(argv)).toMatchObject({ code: 2, stderr: message });
    });

    it("rotate signing-key moves a 0.8.2 tenant to the next key generation, keeping the previous public key; a feb-2026 tenant has none", async () => {
        const { run, engine } = setup(REGISTRY.replace("  - ref: bravo", "  - ref: bravo\n    release: feb-2026"), { resourceCount: 2 });
        await run(["sync", "--up"]);
        const preview = await run(["rotate", "alpha", "signing-key", "--preview"]);
        expect(preview.code, preview.stderr).toBe(0);
        expect((await engine.getConfig("alpha")).signingKeyGeneration).toBeUndefined();
        const rotated = await run(["rotate", "alpha", "signing-key"]);
        expect(rotated.code, rotated.stderr).toBe(0);
        expect(rotated.stdout).toContain("alpha: signing key rotated; the previous public key stays in the key sets until keepPreviousSigningKey is set to false\n");
        expect(await engine.getConfig("alpha")).toMatchObject({ signingKeyGeneration: "2", keepPreviousSigningKey: "true" });
        await run(["rotate", "alpha", "signing-key"]);
        expect((await engine.getConfig("alpha")).signingKeyGeneration).toBe("3");
        expect((await run(["sync"])).code).toBe(0);
        expect((await engine.getConfig("alpha")).signingKeyGeneration).toBe("3");
        const old = await run(["rotate", "bravo", "signing-key"]);
        expect([old.code, old.stderr]).toEqual([2, "fleet: bravo runs release feb-2026, which has no signing key (its tokens are HS256, signed with the JWT secret)\n"]);
        // The opaque pair rotates the same way, on its own settings.
        const keys = await run(["rotate", "alpha", "api-keys"]);
        expect(keys.stdout).toContain("alpha: publishable and secret keys rotated");
        expect(await engine.getConfig("alpha")).toMatchObject({ opaqueKeyGeneration: "2", keepPreviousOpaqueKeys: "true", signingKeyGeneration: "3" });
        expect((await run(["rotate", "bravo", "api-keys"])).stderr).toBe("fleet: bravo runs release feb-2026, which has no publishable or secret keys (its API keys are the legacy anon and service-role keys)\n");
    });

    it("rotate refuses a secret fleet.yaml states, and a Postgres password of a paused tenant, before changing anything", async () => {
        const { run, engine, env } = setup(REGISTRY.replace("  - ref: bravo", "  - ref: bravo\n    dashboardPassword: { fromEnv: BRAVO_DASHBOARD }"), { resourceCount: 2 });
        env.BRAVO_DASHBOARD = "a-dashboard-password-from-env";
        await run(["sync", "--up"]);
        const stated = await run(["rotate", "bravo", "dashboard-password"]);
        expect([stated.code, stated.stderr]).toEqual([2, "fleet: bravo's dashboardPassword is set in fleet.yaml: rotate it there (a new value, then fleet sync --up)\n"]);
        await run(["pause", "alpha"]);
        const before = await engine.getConfig("alpha");
        const paused = await run(["rotate", "alpha", "postgres-password"]);
        expect([paused.code, paused.stderr]).toEqual([2, "fleet: alpha is paused: the new Postgres password is applied inside its running database; fleet resume alpha first\n"]);
        expect(await engine.getConfig("alpha")).toEqual(before);
    });

    it("rotate jwt-secret writes a new 64-character secret, and refuses a stack whose keys are given by hand or a paused feb-2026 tenant", async () => {
        const { run, engine } = setup(REGISTRY.replace("  - ref: bravo", "  - ref: bravo\n    release: feb-2026"), { resourceCount: 2 });
        await run(["sync", "--up"]);
        const rotated = await run(["rotate", "alpha", "jwt-secret"]);
        expect(rotated.code, rotated.stderr).toBe(0);
        expect(rotated.stdout).toContain("alpha: JWT secret rotated; the anon and service-role keys are new (fleet info shows them) and tokens signed with the old secret are refused\n");
        const secret = (await engine.getConfig("alpha")).jwtSecret!;
        expect(secret).toMatch(/^[A-Za-z0-9]{64}$/);
        expect(`${rotated.stdout}${rotated.stderr}`).not.toContain(secret);
        expect((await run(["sync"])).code).toBe(0);
        expect((await engine.getConfig("alpha")).jwtSecret).toBe(secret);

        await engine.setConfig("alpha", { anonKey: "eyJhbGciOiJIUzI1NiJ9.e30.x" }, ["anonKey"]);
        const given = await run(["rotate", "alpha", "jwt-secret"]);
        expect([given.code, given.stderr]).toEqual([2, "fleet: alpha sets anonKey itself, signed with the current JWT secret: remove it from the stack (they are then signed from the new secret), or rotate by giving jwtSecret and the keys together\n"]);
        expect((await engine.getConfig("alpha")).jwtSecret).toBe(secret);

        await run(["pause", "bravo"]);
        const paused = await run(["rotate", "bravo", "jwt-secret"]);
        expect([paused.code, paused.stderr]).toEqual([2, "fleet: bravo is paused: on release feb-2026 the new JWT secret is applied inside its running database too; fleet resume bravo first\n"]);
        expect((await engine.getConfig("bravo")).jwtSecret).toBeUndefined();
    });

    it("rotate smtp-password, s3-keys and oauth-secret take the new values from the environment, check them, and never print them", async () => {
        const { run, engine, env } = setup(REGISTRY, { resourceCount: 2 });
        await run(["sync", "--up"]);
        env.NEW_SMTP = "a-new-smtp-password";
        // A tenant fleet.yaml lists gets its secrets from there.
        const listed = await run(["rotate", "alpha", "smtp-password", "--from-env", "NEW_SMTP"]);
        expect([listed.code, listed.stderr]).toEqual([2, "fleet: alpha is in fleet.yaml, which states its smtpPassword (fleet sync writes them): put the new value there (fromEnv), then fleet sync --up\n"]);
        // A stack of its own (made by hand, not in fleet.yaml).
        await engine.createStack(
            "delta",
            { ref: "delta", authEmailAutoconfirm: true, smtpHost: "smtp.example.com", smtpUser: "mailer", smtpPassword: "old-smtp", authOAuthProviders: ["github:client-1", "google:client-2"], authOAuthClientSecrets: ["github:old-gh", "google:old-go"] },
            ["smtpPassword", "authOAuthClientSecrets"],
        );
        await run(["up", "delta"]);
        const smtp = await run(["rotate", "delta", "smtp-password", "--from-env", "NEW_SMTP"]);
        expect(smtp.code, smtp.stderr).toBe(0);
        expect(smtp.stdout).toContain("delta: SMTP password replaced; auth restarted on it\n");
        expect(`${smtp.stdout}${smtp.stderr}`).not.toContain(env.NEW_SMTP);
        expect((await engine.getConfig("delta")).smtpPassword).toBe(env.NEW_SMTP);

        env.NEW_GITHUB = "a-new-github-secret";
        const oauth = await run(["rotate", "delta", "oauth-secret", "--provider", "github", "--from-env", "NEW_GITHUB"]);
        expect(oauth.code, oauth.stderr).toBe(0);
        expect(JSON.parse((await engine.getConfig("delta")).authOAuthClientSecrets!)).toEqual(["github:a-new-github-secret", "google:old-go"]);
        const preview = await run(["rotate", "delta", "oauth-secret", "--provider", "google", "--from-env", "NEW_GITHUB", "--preview"]);
        expect(preview.code, preview.stderr).toBe(0);
        expect(JSON.parse((await engine.getConfig("delta")).authOAuthClientSecrets!)).toEqual(["github:a-new-github-secret", "google:old-go"]); // put back
        const unknownProvider = await run(["rotate", "delta", "oauth-secret", "--provider", "gitlab", "--from-env", "NEW_GITHUB"]);
        expect([unknownProvider.code, unknownProvider.stderr]).toEqual([2, "fleet: fleet rotate delta oauth-secret needs --provider with one of the tenant's providers: github, google\n"]);

        // s3-keys needs both values; a malformed value is refused by the config rules, and named without the value.
        env.KEY_ID = "AKIAEXAMPLE";
        const one = await run(["rotate", "delta", "s3-keys", "--from-env", "KEY_ID"]);
        expect([one.code, one.stderr]).toEqual([2, "fleet: fleet rotate delta s3-keys needs --from-env with 2 variables, comma-separated: s3AccessKeyId, s3SecretAccessKey (the new value comes from your provider; it is never printed)\n"]);
        env.BAD_SMTP = "line one\nline two";
        const bad = await run(["rotate", "delta", "smtp-password", "--from-env", "BAD_SMTP"]);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/supabase-fleet:smtpPassword/);
        expect(bad.stderr).not.toContain("line one");
        expect((await engine.getConfig("delta")).smtpPassword).toBe(env.NEW_SMTP);
        const unset = await run(["rotate", "delta", "smtp-password", "--from-env", "NOT_SET"]);
        expect([unset.code, unset.stderr]).toEqual([2, "fleet: --from-env: NOT_SET is not set or empty in the environment\n"]);
        const generated = await run(["rotate", "delta", "postgres-password", "--from-env", "NEW_SMTP"]);
        expect([generated.code, generated.stderr]).toEqual([2, "fleet: --from-env: only smtp-password, s3-keys, oauth-secret take a value; the fleet makes the new postgres-password itself\n"]);
    });

    it("runs as a program: npm run fleet -- --help documents every command", async () => {
        const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "stacks/cli/fleet.ts", "--help"], { cwd: repoRoot });
        for (const help of Object.values(COMMANDS)) expect(stdout).toContain(help.usage);
        const failure = await promisify(execFile)(process.execPath, ["--import", "tsx", "stacks/cli/fleet.ts", "up"], { cwd: repoRoot }).catch((error: { code: number; stderr: string }) => error);
        expect([(failure as { code: number }).code, (failure as { stderr: string }).stderr]).toEqual([2, "fleet: name at least one tenant ref, or pass --all for every tenant\n"]);
    });
});
