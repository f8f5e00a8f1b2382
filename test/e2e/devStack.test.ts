/**
 * The dev stack through the real CLI on the real Docker engine, from a fresh copy of the project:
 * `npm run dev:up -- --yes` creates exactly what the offline plan declares; a second preview, a
 * second up and a refresh change nothing; the outputs work against the real db and the real GoTrue;
 * changes do what their preview says; data outlives a destroy and the existing-data guard holds.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { deriveAsymmetricKeys } from "../../components/asymmetricKeys.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD_ROLES } from "../../components/files/dbInitSql.js";
import { renderFleetPreviewComment, type PreviewJsonDocument } from "../../stacks/preview/index.js";
import { actualContainer, declaredContainers } from "./support/declared.js";
import { describeMoves } from "./suites/moves.js";
import { describeSshHosts } from "./suites/sshHosts.js";
import { E2E_RELEASE, authAnswerSummary, authPost, engineMissingReason, expectOk, freshProjectCopy, inspect, pulumi, pulumiOk, removeTenantObjects, run, runOk } from "./support/workspace.js";

const REF = "dev";
const NETWORK = `${REF}-network`;
const DB_IMAGE = E2E_RELEASE.images.db;
/** The imgproxy image under a second tag: an image change that needs no registry. */
const RETAGGED_IMGPROXY = `${E2E_RELEASE.images.imgproxy}-e2e`;
const missing = engineMissingReason();
if (missing && process.env.CI !== "true") console.warn(`devStack e2e skipped: ${missing}`);

/** psql inside the tenant network (as a service would connect), with the given password. */
function psqlInTenant(user: string, password: string, sql: string) {
    return run("docker", ["run", "--rm", "--network", NETWORK, "-e", `PGPASSWORD=${password}`, "--entrypoint", "psql", DB_IMAGE, "-h", "db", "-U", user, "-d", "postgres", "-Atc", sql], { timeoutMs: 60_000 });
}

function imageEnvNames(image: string): Set<string> {
    const env = (JSON.parse(runOk("docker", ["image", "inspect", image]))[0].Config.Env ?? []) as string[];
    return new Set(env.map((e) => e.slice(0, e.indexOf("="))));
}

interface PreviewStep {
    readonly op: string;
    readonly urn: string;
}
function previewDocument(project: string): PreviewJsonDocument {
    return JSON.parse(pulumiOk(project, ["preview", "-s", REF, "--json", "--non-interactive"])) as PreviewJsonDocument;
}
function previewSteps(project: string): PreviewStep[] {
    return (previewDocument(project).steps ?? []).filter((s) => s.op !== "same");
}
const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** Containers whose declared inputs differ between two offline plans of the project copy. */
function plannedContainers(project: string): Record<string, string> {
    const plan = JSON.parse(runOk("npm", ["run", "--silent", "plan", "--", "--stack", REF, "--json"], { cwd: project })) as { resources: { type: string; inputs: Record<string, unknown> }[] };
    return Object.fromEntries(plan.resources.filter((r) => r.type === "docker:index/container:Container").map((r) => [r.inputs.name as string, JSON.stringify(r.inputs)]));
}
const changedBetween = (before: Record<string, string>, after: Record<string, string>) => Object.keys(after).filter((name) => before[name] !== after[name]).sort();

describe.skipIf(missing !== null && process.env.CI !== "true")("dev stack on the real engine", () => {
    let project = "";
    let outputs: Record<string, any> = {};

    beforeAll(() => {
        if (missing) throw new Error(`CI=true but the real engine cannot run: ${missing}`);
        removeTenantObjects(REF); // a previous run that died must not decide this one
        project = freshProjectCopy();
    }, 120_000);

    afterAll(() => {
        if (!project) return;
        pulumi(project, ["destroy", "-s", REF, "--yes", "--non-interactive"]);
        removeTenantObjects(REF);
        run("docker", ["rmi", RETAGGED_IMGPROXY]);
        rmSync(project, { recursive: true, force: true });
    }, 600_000);

    it("npm run dev:up -- --yes creates the tenant, and what runs equals what the offline plan declares", () => {
        const up = run("npm", ["run", "--silent", "dev:up", "--", "--yes"], { cwd: project, timeoutMs: 1_200_000 });
        expect(up.status, `${up.stdout.slice(-5000)}\n${up.stderr.slice(-3000)}`).toBe(0);
        expect(up.stdout).not.toMatch(/from \$PATH|is expected to have version|Downloading plugin|A new version of Pulumi/);

        const plan = JSON.parse(runOk("npm", ["run", "--silent", "plan", "--", "--stack", REF, "--json"], { cwd: project })) as { resources: any[] };
        const declared = declaredContainers(plan);
        expect(Object.keys(declared)).toHaveLength(13);
        for (const [name, shape] of Object.entries(declared)) {
            expect({ name, ...actualContainer(name, imageEnvNames(shape.image)) }).toEqual({ name, ...shape });
            expect(inspect("container", name).State.Health.Status).toBe("healthy");
        }
        expect(inspect("network", NETWORK).Labels["supabase-fleet.tenant"]).toBe(REF);
        for (const volume of plan.resources.filter((r) => r.type === "docker:index/volume:Volume")) {
            expect(inspect("volume", volume.inputs.name).Labels["supabase-fleet.tenant"]).toBe(REF);
        }
        outputs = JSON.parse(pulumiOk(project, ["stack", "output", "-s", REF, "--json", "--show-secrets"])) as Record<string, any>;
    }, 1_500_000);

    it("a second preview, a second up and a refresh followed by a preview change nothing", () => {
        pulumiOk(project, ["preview", "-s", REF, "--expect-no-changes", "--non-interactive"]);
        pulumiOk(project, ["up", "-s", REF, "--yes", "--expect-no-changes", "--non-interactive"]);
        pulumiOk(project, ["refresh", "-s", REF, "--yes", "--non-interactive"]);
        pulumiOk(project, ["preview", "-s", REF, "--expect-no-changes", "--non-interactive"]);
    }, 900_000);

    it("kong's expanded config, which holds the keys, is on tmpfs: readable by its owner only, and nowhere in the container's layer", () => {
        const kong = `${REF}-kong`;
        expect(inspect("container", kong).HostConfig.Tmpfs).toEqual({ "/home/kong": "rw,nosuid,nodev,noexec,size=1m,mode=1777" });
        expect(runOk("docker", ["exec", kong, "cat", "/proc/mounts"])).toMatch(/^tmpfs \/home\/kong tmpfs /m);
        expect(runOk("docker", ["exec", kong, "stat", "-c", "%a", "/home/kong/kong.yml"]).trim()).toBe("600");
        expect(runOk("docker", ["exec", kong, "cat", "/home/kong/kong.yml"])).toContain(outputs.anonKey);
        // What the layer holds (docker diff, docker export, docker commit): the uploaded template, no key.
        const changed = runOk("docker", ["diff", kong]).trim().split("\n");
        expect(changed).toContain("A /etc/kong/supabase-fleet/kong.yml.template");
        // At most the mount point itself, where the image has no /home/kong: nothing under it.
        expect(changed.filter((line) => line.includes("/home/kong/"))).toEqual([]);
        const template = runOk("docker", ["exec", kong, "cat", "/etc/kong/supabase-fleet/kong.yml.template"]);
        expect(template).not.toContain(outputs.anonKey);
        expect(template).toContain("$SUPABASE_ANON_KEY");
    }, 120_000);

    it("the keys verify against the JWT secret and every service role logs in to the real db with its password only", async () => {
        const secret = new TextEncoder().encode(outputs.jwtSecret);
        expect((await jwtVerify(outputs.anonKey, secret)).payload.role).toBe("anon");
        expect((await jwtVerify(outputs.serviceRoleKey, secret)).payload.role).toBe("service_role");
        const password = new URL(outputs.postgresDirectUrl).password;
        for (const role of PASSWORD_ROLES) {
            const ok = psqlInTenant(role, decodeURIComponent(password), "SELECT current_user");
            expect({ role, status: ok.status, out: ok.stdout.trim() }).toEqual({ role, status: 0, out: role });
            const wrong = psqlInTenant(role, "not-the-password", "SELECT 1");
            expect(wrong.stderr).toContain(`password authentication failed for user "${role}"`);
        }
    }, 300_000);

    it("a user signs up and signs in through the real GoTrue, and its token verifies with the JWT secret", async () => {
        const credentials = { email: "e2e@example.com", password: "correct horse battery staple" };
        // The sign-up once only: one that timed out may have made the user, and a second would be refused.
        const signUp = authPost(REF, "/signup", credentials, { busyForMs: 0 });
        expect(signUp.body.user?.email ?? signUp.body.email, authAnswerSummary(signUp)).toBe(credentials.email);
        const signIn = authPost(REF, "/token?grant_type=password", credentials);
        expect(typeof signIn.body.access_token, authAnswerSummary(signIn)).toBe("string");
        const { payload } = await jwtVerify(signIn.body.access_token, new TextEncoder().encode(outputs.jwtSecret));
        expect(payload.email).toBe(credentials.email);
        expect(payload.role).toBe("authenticated");
    }, 300_000);

    it("the real GoTrue takes release 0.8.2's key set after a rotation: it signs ES256 with the new key only, the tokens verify against our public set, and it serves both public keys", async () => {
        // A second GoTrue beside the tenant's, with the tenant's own environment plus the generated
        // GOTRUE_JWT_KEYS of a rotated signing key (generation 2, the previous public key kept).
        const seeds = { signingKeySeed: "e2e-signing", publishableKeySeed: "e2e-p", secretKeySeed: "e2e-s" };
        const keys = deriveAsymmetricKeys({ seeds, jwtSecret: outputs.jwtSecret, expiresAt: 2_082_758_400, signing: { generation: 2, keepPrevious: true } });
        const previous = deriveAsymmetricKeys({ seeds, jwtSecret: outputs.jwtSecret, expiresAt: 2_082_758_400 });
        const auth = inspect("container", `${REF}-auth`);
        const env: Record<string, string> = Object.fromEntries((auth.Config.Env as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
        env.GOTRUE_JWT_KEYS = keys.jwtKeys;
        const name = `${REF}-auth-keys`;
        run("docker", ["rm", "-f", name]);
        // Values travel through this process's environment (`-e NAME`), never on a command line.
        runOk("docker", ["run", "-d", "--name", name, "--network", NETWORK, "--network-alias", "auth-keys", "--label", `supabase-fleet.tenant=${REF}`,
            ...Object.keys(env).flatMap((key) => ["-e", key]), ...(auth.Config.Entrypoint ? ["--entrypoint", (auth.Config.Entrypoint as string[])[0]!] : []), auth.Config.Image as string, ...((auth.Config.Entrypoint as string[] | null)?.slice(1) ?? []), ...((auth.Config.Cmd as string[] | null) ?? [])], { env });
        try {
            const curl = (...args: string[]) => run("docker", ["run", "--rm", "--network", NETWORK, "--entrypoint", "curl", DB_IMAGE, "-sS", ...args]);
            let healthy = false;
            for (let attempt = 0; attempt < 60 && !healthy; attempt += 1) {
                healthy = curl("-f", "http://auth-keys:9999/health").status === 0;
                if (!healthy) await new Promise((resolve) => setTimeout(resolve, 1000));
            }
            expect(healthy, runOk("docker", ["logs", "--tail", "30", name])).toBe(true);
            const signIn = JSON.parse(curl("-X", "POST", "http://auth-keys:9999/token?grant_type=password", "-H", "Content-Type: application/json", "-d", JSON.stringify({ email: "e2e@example.com", password: "correct horse battery staple" })).stdout);
            expect(decodeProtectedHeader(signIn.access_token)).toMatchObject({ alg: "ES256", kid: keys.signingKeyId });
            const { payload } = await jwtVerify(signIn.access_token, createLocalJWKSet(JSON.parse(keys.publicJwks)), { algorithms: ["ES256"] });
            expect([payload.email, payload.role]).toEqual(["e2e@example.com", "authenticated"]);
            const served = JSON.parse(curl("http://auth-keys:9999/.well-known/jwks.json").stdout) as { keys: Record<string, unknown>[] };
            const ours = JSON.parse(keys.publicJwks).keys[0];
            expect(served.keys).toContainEqual(expect.objectContaining({ kid: ours.kid, x: ours.x, y: ours.y, kty: "EC", crv: "P-256" }));
            expect(served.keys.map((key) => key.kid)).toContain(previous.signingKeyId);
            // A token signed with the previous key (before the rotation) verifies against what auth serves.
            await expect(jwtVerify(previous.anonKeyAsymmetric, createLocalJWKSet(served as never), { algorithms: ["ES256"] })).resolves.toBeTruthy();
            expect(JSON.stringify(served)).not.toContain(JSON.parse(keys.jwtKeys)[0].d);
        } finally {
            run("docker", ["rm", "-f", name]);
        }
    }, 300_000);

    it("a memory change updates one container in place; a port change replaces what the offline plan says changes, kong included", () => {
        let before = plannedContainers(project);
        pulumiOk(project, ["config", "set", "-s", REF, "supabase-fleet:metaMemoryMb", "300"]);
        expect(changedBetween(before, plannedContainers(project))).toEqual([`${REF}-meta`]);
        const metaId = inspect("container", `${REF}-meta`).Id;
        expect(previewSteps(project).map((s) => `${s.op} ${nameOf(s.urn)}`)).toEqual([`update ${REF}-meta`]);
        pulumiOk(project, ["up", "-s", REF, "--yes", "--non-interactive"]);
        expect(inspect("container", `${REF}-meta`).Id).toBe(metaId);
        expect(inspect("container", `${REF}-meta`).HostConfig.Memory).toBe(300 * 1024 * 1024);

        // apiUrl defaults to http://localhost:<kongHttpPort>: the services that read the public URL change too.
        before = plannedContainers(project);
        pulumiOk(project, ["config", "set", "-s", REF, "supabase-fleet:kongHttpPort", "8100"]);
        const changed = changedBetween(before, plannedContainers(project));
        expect(changed).toContain(`${REF}-kong`);
        const ids = Object.fromEntries(changed.map((name) => [name, inspect("container", name).Id]));
        expect(previewSteps(project).map((s) => `${s.op} ${nameOf(s.urn)}`).sort()).toEqual(changed.map((name) => `replace ${name}`));
        pulumiOk(project, ["up", "-s", REF, "--yes", "--non-interactive"]);
        for (const name of changed) expect(inspect("container", name).Id).not.toBe(ids[name]);
        expect(inspect("container", `${REF}-kong`).HostConfig.PortBindings["8000/tcp"]).toEqual([{ HostIp: "127.0.0.1", HostPort: "8100" }]);
        pulumiOk(project, ["preview", "-s", REF, "--expect-no-changes", "--non-interactive"]);
    }, 900_000);

    it("an image change and a health-check change each replace one container, and their preview --json renders the pull-request comment", () => {
        const imgproxy = `${REF}-imgproxy`;
        runOk("docker", ["tag", E2E_RELEASE.images.imgproxy, RETAGGED_IMGPROXY]); // removed in afterAll: later tests still run on it
        // An image bump, as a reviewer sees it: the container and its image replaced, no data at risk.
        let before = plannedContainers(project);
        pulumiOk(project, ["config", "set", "-s", REF, "supabase-fleet:imgproxyImage", RETAGGED_IMGPROXY]);
        expect(changedBetween(before, plannedContainers(project))).toEqual([imgproxy]);
        const imageBump = previewDocument(project);
        expect((imageBump.steps ?? []).filter((s) => s.op !== "same").map((s) => `${s.op} ${nameOf(s.urn)}`).sort()).toEqual([`replace ${REF}-image-imgproxy`, `replace ${imgproxy}`]);
        const comment = renderFleetPreviewComment([{ ref: REF, status: "ok", previewJson: imageBump }]);
        expect(comment).toMatch(new RegExp(`\\| \`${REF}\` \\| 0 \\| 0 \\| 2 \\| 0 \\| \\d+ \\| changes \\|`));
        expect(comment).toContain(`- 🔄 **replace** \`${imgproxy}\` (Container)\n  - replaced because \`image\` changed\n  - \`image\`: \`${E2E_RELEASE.images.imgproxy}\` → \`${RETAGGED_IMGPROXY}\` _(forces replacement)_`);
        expect(comment).not.toContain("data-loss");
        let id = inspect("container", imgproxy).Id;
        pulumiOk(project, ["up", "-s", REF, "--yes", "--non-interactive"]);
        expect([inspect("container", imgproxy).Config.Image, inspect("container", imgproxy).Id === id]).toEqual([RETAGGED_IMGPROXY, false]);

        // A health-check change is a code change (a pull request edits the service's file): Docker cannot change it in place.
        const serviceFile = join(project, "components", "services", "imgproxy.ts");
        const source = readFileSync(serviceFile, "utf8");
        const edited = source.replace('healthCheck(["CMD", "imgproxy", "health"])', 'healthCheck(["CMD", "imgproxy", "health"], { retries: 12 })');
        expect(edited).not.toBe(source);
        before = plannedContainers(project);
        writeFileSync(serviceFile, edited);
        expect(changedBetween(before, plannedContainers(project))).toEqual([imgproxy]);
        const healthChange = previewDocument(project);
        expect((healthChange.steps ?? []).filter((s) => s.op !== "same").map((s) => `${s.op} ${nameOf(s.urn)}`)).toEqual([`replace ${imgproxy}`]);
        expect(renderFleetPreviewComment([{ ref: REF, status: "ok", previewJson: healthChange }])).toContain(`- 🔄 **replace** \`${imgproxy}\` (Container)\n  - replaced because \`healthcheck\` changed`);
        id = inspect("container", imgproxy).Id;
        pulumiOk(project, ["up", "-s", REF, "--yes", "--non-interactive"]);
        expect([inspect("container", imgproxy).Config.Healthcheck.Retries, inspect("container", imgproxy).Id === id]).toEqual([12, false]);
        pulumiOk(project, ["preview", "-s", REF, "--expect-no-changes", "--non-interactive"]);
    }, 900_000);

    it("a row outlives destroy: the next up of a new stack is stopped by the existing-data guard, and comes back with the old credentials", () => {
        const superuser = decodeURIComponent(new URL(outputs.postgresDirectUrl).password);
        expectOk(psqlInTenant("postgres", superuser, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('written before destroy')"));
        pulumiOk(project, ["destroy", "-s", REF, "--yes", "--non-interactive"]);
        expectOk(run("docker", ["volume", "inspect", `${REF}-db-data`]));
        expect(run("docker", ["container", "inspect", `${REF}-db`]).status).not.toBe(0);

        const blocked = pulumi(project, ["up", "-s", REF, "--yes", "--non-interactive"]);
        expect(blocked.status).not.toBe(0);
        expect(blocked.stdout + blocked.stderr).toContain(`volume ${REF}-db-data already holds a database`);
        expect(blocked.stdout + blocked.stderr).not.toContain(superuser);

        pulumiOk(project, ["config", "set", "-s", REF, "--secret", "supabase-fleet:postgresPassword", superuser]);
        pulumiOk(project, ["config", "set", "-s", REF, "--secret", "supabase-fleet:jwtSecret", outputs.jwtSecret]);
        pulumiOk(project, ["up", "-s", REF, "--yes", "--non-interactive"], 1_200_000);
        const kept = psqlInTenant("postgres", superuser, "SELECT note FROM kept");
        expect(kept.stdout.trim()).toBe("written before destroy");
    }, 1_800_000);
});

// The moves between two Docker daemons run in this file's worker, after the dev stack: this file
// ends first of the three end-to-end files, and a fourth one running beside them on 2 cores slowed
// every file (a CI run took 1510 s with it as its own file, against 1169 s before).
describeMoves();
// Then the same peer daemon as an ssh:// host, behind a real sshd.
describeSshHosts();
