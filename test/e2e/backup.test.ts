/**
 * Backups on the real engine and the real Docker engine, from a fresh copy of the project: a tenant
 * gets a table, an auth user (through the real GoTrue), a storage object and an edge function; it is
 * backed up into a folder and into a real S3-compatible server (drilled from there), destroyed with
 * its data, and restored from the folder's backup under its own ref, where
 * all of it is found again and the user signs in with the password it signed up with; then restored
 * in place over the live tenant into a new data volume, and rolled back to the kept one.
 */
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Server } from "../support/s3/server.js";
import { describeEdge } from "./suites/edge.js";
import { E2E_RELEASE, authAnswerSummary, authPost, e2eRegistry, engineMissingReason, expectOk, fleetCli, fleetRunners, freshProjectCopy, removeTenantObjects, run, runOk } from "./support/workspace.js";

const REF = "e2ebk";
const SCRATCH = "e2ebk-drill";
const COPY = "e2ebkcopy"; // the --into target of the damaged-backup case, which must never be created
const DB_IMAGE = E2E_RELEASE.images.db;
const missing = engineMissingReason();
if (missing && process.env.CI !== "true") console.warn(`backup e2e skipped: ${missing}`);

const REGISTRY = e2eRegistry([REF], { from: 25500, to: 25599 });
const USER = { email: "restored@example.com", password: "a password that survives a restore" };
const OBJECT = { path: "/var/lib/storage/stub/stub/avatars/me.txt", content: "an object in the storage volume\n" };
const FUNCTION = { path: "/home/deno/functions/hello/index.ts", content: 'Deno.serve(() => new Response("hello"));\n' };

describe.skipIf(missing !== null && process.env.CI !== "true")("backups on the real engine", () => {
    let project = "";
    const { fleet, fleetOk } = fleetRunners(() => project);
    const sql = (ref: string, query: string) => runOk("docker", ["exec", `${ref}-db`, "psql", "-h", "127.0.0.1", "-U", "supabase_admin", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-At", "-c", query]).trim();
    /** Signs the test user in through the tenant's auth service, and expects a session for it. */
    const expectSignIn = (ref: string) => {
        const answer = authPost(ref, "/token?grant_type=password", USER);
        expect(answer.body.user?.email, authAnswerSummary(answer)).toBe(USER.email);
        expect(typeof answer.body.access_token).toBe("string");
    };
    /**
     * Each role logs in over the tenant network (where the server checks passwords), as a service
     * connects, once with `accepted` and once with `refused`: one container for all of them. Returns,
     * per role, what each attempt printed (current_user, or psql's error).
     */
    const logins = (roles: readonly string[], accepted: string, refused: string): Record<string, { accepted: string; refused: string }> => {
        const script = `for role in ${roles.join(" ")}; do for which in ACCEPTED REFUSED; do eval "PGPASSWORD=\\$$which"; export PGPASSWORD; printf '%s %s %s\\n' "$role" "$which" "$(psql -h db -U "$role" -d postgres -At -c 'SELECT current_user' 2>&1 | head -1)"; done; done`;
        const out = runOk("docker", ["run", "--rm", "--network", `${REF}-network`, "-e", "ACCEPTED", "-e", "REFUSED", "--entrypoint", "sh", DB_IMAGE, "-c", script], { env: { ACCEPTED: accepted, REFUSED: refused } });
        const results: Record<string, { accepted: string; refused: string }> = {};
        for (const line of out.trim().split("\n")) {
            const [role, which, ...rest] = line.split(" ");
            results[role!] = { ...results[role!]!, [which === "ACCEPTED" ? "accepted" : "refused"]: rest.join(" ") };
        }
        return results;
    };
    const expectOnlyPassword = (roles: readonly string[], password: string, other: string) => {
        const results = logins(roles, password, other);
        for (const role of roles) {
            expect({ role, out: results[role]?.accepted }).toEqual({ role, out: role });
            expect(results[role]?.refused, role).toContain("password authentication failed");
        }
    };
    const passwordOf = () => decodeURIComponent(new URL(String((JSON.parse(fleetOk("outputs", REF, "--show-secrets", "--json")) as Record<string, unknown>).postgresDirectUrl)).password);
    const containerIds = () => Object.fromEntries(runOk("docker", ["ps", "-a", "--filter", `label=supabase-fleet.tenant=${REF}`, "--format", "{{.Names}} {{.ID}}"]).trim().split("\n").map((line) => line.split(" ") as [string, string]));
    const backupsOf = () => JSON.parse(fleetOk("backups", REF, "--json")) as { id: string; dir: string; bytes: number; databases: string[] }[];

    beforeAll(() => {
        if (missing) throw new Error(`CI=true but the real engine cannot run: ${missing}`);
        for (const ref of [REF, SCRATCH, COPY]) removeTenantObjects(ref);
        project = freshProjectCopy();
        writeFileSync(join(project, "fleet.yaml"), REGISTRY);
    }, 120_000);

    afterAll(() => {
        if (!project) return;
        for (const ref of [REF, SCRATCH, COPY]) {
            fleet("destroy", ref, "--yes", "--delete-data");
            removeTenantObjects(ref);
        }
        rmSync(project, { recursive: true, force: true });
    }, 900_000);

    it("a tenant with a table, an auth user, a storage object and a function is backed up into private files with a manifest", () => {
        fleetOk("sync", "--up");
        sql(REF, "CREATE TABLE public.notes (id serial PRIMARY KEY, body text); INSERT INTO public.notes (body) SELECT 'note ' || n || E'\\nwith a second line' FROM generate_series(1, 250) n;");
        // Once only: a sign-up that timed out may have made the user, and a second one would be refused.
        const signUp = authPost(REF, "/signup", USER, { busyForMs: 0 });
        expect(signUp.body.user?.email ?? signUp.body.email, authAnswerSummary(signUp)).toBe(USER.email);
        expectSignIn(REF);
        for (const file of [OBJECT, FUNCTION]) {
            const service = file === OBJECT ? "storage" : "functions";
            run("docker", ["exec", "-i", `${REF}-${service}`, "sh", "-c", `mkdir -p "$(dirname '${file.path}')" && cat > '${file.path}'`], { input: file.content });
        }

        const backup = fleet("backup", REF, "--keep", "2");
        expect(backup.status, backup.stderr.slice(-3000)).toBe(0);
        const [latest, ...older] = backupsOf();
        expect(older).toEqual([]);
        expect(latest!.databases).toEqual(["_supabase", "postgres"]);
        const manifest = JSON.parse(readFileSync(join(latest!.dir, "manifest.json"), "utf8")) as { release: string; files: { name: string; kind: string; volume?: string; bytes: number }[] };
        expect(manifest.release).toBe(E2E_RELEASE.name);
        expect(manifest.files.filter((f) => f.kind === "volume").map((f) => f.volume).sort()).toEqual(["db-config", "functions", "storage", "studio-snippets"]);
        expect(statSync(latest!.dir).mode & 0o777).toBe(0o700);
        for (const file of manifest.files) {
            expect(statSync(join(latest!.dir, file.name)).mode & 0o777).toBe(0o600);
            expect(statSync(join(latest!.dir, file.name)).size).toBe(file.bytes);
        }
        // The dump (compressed, custom format) holds the table's data: pg_restore turns it back into the rows.
        const dump = manifest.files.find((f) => f.name.endsWith("-postgres.dump"))!;
        const script = runOk("docker", ["run", "--rm", "--user", "0", "--network", "none", "-v", `${latest!.dir}:/backup:ro`, "--entrypoint", "pg_restore", DB_IMAGE, "--data-only", "--table", "notes", "-f", "-", `/backup/${dump.name}`]);
        expect(script).toContain("note 250\\nwith a second line");

        // Retention: with --keep 2, a third backup removes the first, and the newest always stays.
        fleetOk("backup", REF, "--keep", "2");
        fleetOk("backup", REF, "--keep", "2");
        const kept = backupsOf();
        expect(kept.length).toBe(2);
        expect(kept.map((b) => b.id)).not.toContain(latest!.id);
    }, 1_200_000);

    it("a backup into an S3 bucket drills from the bucket: restored into a scratch tenant, the user signs in, the scratch tenant is removed", async () => {
        const s3 = await startS3Server();
        try {
            const target = `s3://${s3.bucket}/fleet`;
            const withS3 = (...args: string[]) => fleetCli(project, [...args, "--s3", target], { env: s3.env });
            const backup = withS3("backup", REF);
            expect(backup.status, backup.stderr.slice(-3000)).toBe(0);
            expect(backup.stdout).toContain(`backups are in ${target}`);
            const [stored, ...others] = JSON.parse(withS3("backups", REF, "--json").stdout) as { id: string; dir: string }[];
            expect(others).toEqual([]);
            expect(stored!.dir).toBe(`${target}/${REF}/${stored!.id}`);
            // In the server's own folder, under the layout of a backup folder.
            const manifest = JSON.parse(readFileSync(join(s3.root, s3.bucket, "fleet", REF, stored!.id, "manifest.json"), "utf8")) as { files: { name: string }[] };
            for (const file of manifest.files) expect(existsSync(join(s3.root, s3.bucket, "fleet", REF, stored!.id, file.name)), file.name).toBe(true);

            const drill = withS3("drill", REF, "--json");
            expectOk(drill);
            const report = JSON.parse(drill.stdout) as { drill: { backup: string; tablesChecked: number; filesChecked: number; signIn: { email?: string } } };
            expect(report.drill.backup).toBe(stored!.id);
            expect(report.drill.signIn.email).toBe(USER.email);
            expect(report.drill.tablesChecked).toBeGreaterThan(10);
            expect(report.drill.filesChecked).toBeGreaterThanOrEqual(2);
            expect(run("docker", ["ps", "-aq", "--filter", `label=supabase-fleet.tenant=${SCRATCH}`]).stdout.trim()).toBe("");
            expect(run("docker", ["volume", "ls", "-q", "--filter", `label=supabase-fleet.tenant=${SCRATCH}`]).stdout.trim()).toBe("");
            expect(fleetOk("list")).not.toContain(SCRATCH);
            // A wrong secret is one line naming S3's refusal, and never the secret.
            const refused = fleetCli(project, ["backups", REF, "--s3", target], { env: { ...s3.env, AWS_SECRET_ACCESS_KEY: "wrong-secret-e2e" } });
            expect(refused.status).toBe(1);
            expect(refused.stderr.trim()).toBe(`fleet: listing fleet/${REF}/ in bucket ${s3.bucket}: SignatureDoesNotMatch`);
        } finally {
            await s3.stop();
        }
    }, 1_200_000);

    it("a damaged backup is refused by restore and fails its drill, before anything is created", () => {
        const [latest] = backupsOf();
        const manifest = JSON.parse(readFileSync(join(latest!.dir, "manifest.json"), "utf8")) as { files: { name: string; kind: string }[] };
        const target = join(latest!.dir, manifest.files.find((f) => f.kind === "database")!.name);
        const original = readFileSync(target);
        const damaged = Buffer.from(original);
        damaged[damaged.length - 10] = damaged[damaged.length - 10]! ^ 0xff;
        chmodSync(target, 0o600);
        writeFileSync(target, damaged);
        try {
            const restore = fleet("restore", REF, "--from", latest!.id, "--into", COPY);
            expect(restore.status).toBe(1);
            expect(restore.stderr).toContain("damaged");
            expect(restore.stderr).toContain("SHA-256");
            const drill = fleet("drill", REF, "--from", latest!.id);
            expect(drill.status).toBe(1);
            expect(fleetOk("list")).not.toContain(COPY);
        } finally {
            writeFileSync(target, original);
        }
    }, 600_000);

    it("after destroy --delete-data, restore brings the tenant back under its ref with its rows, user, object and function", () => {
        const restoreOverLive = fleet("restore", REF, "--from", "latest");
        expect(restoreOverLive.status).toBe(2);
        expect(restoreOverLive.stderr).toContain("never writes over");

        const oldPassword = passwordOf();
        fleetOk("destroy", REF, "--yes", "--delete-data");
        expect(run("docker", ["volume", "ls", "-q", "--filter", `label=supabase-fleet.tenant=${REF}`]).stdout.trim()).toBe("");
        const restore = fleet("restore", REF, "--from", "latest", "--json");
        expectOk(restore);

        expect(sql(REF, "SELECT count(*), max(body) FROM public.notes")).toBe("250|note 99\nwith a second line");
        expectSignIn(REF);
        expect(runOk("docker", ["exec", `${REF}-storage`, "cat", OBJECT.path])).toBe(OBJECT.content);
        expect(runOk("docker", ["exec", `${REF}-functions`, "cat", FUNCTION.path])).toBe(FUNCTION.content);
        // The restored tenant's service roles log in with its own new password, and not with the old tenant's.
        const newPassword = passwordOf();
        expect(newPassword).not.toBe(oldPassword);
        expectOnlyPassword(["authenticator", "supabase_auth_admin", "supabase_storage_admin", "supabase_admin"], newPassword, oldPassword);
        const status = JSON.parse(fleetOk("status", REF, "--json")) as { ref: string; state: string }[] | { tenants: { ref: string; state: string }[] };
        const list = Array.isArray(status) ? status : status.tenants;
        expect(list.find((t) => t.ref === REF)?.state).toBe("ACTIVE");
        expect(existsSync(join(project, "backups", REF))).toBe(true);
    }, 1_200_000);

    it("rotate postgres-password applies the new password in the live database, restarts only what logs in to it, and keeps the data", () => {
        const oldPassword = passwordOf();
        const before = containerIds();
        const volumes = runOk("docker", ["volume", "ls", "-q", "--filter", `label=supabase-fleet.tenant=${REF}`]);

        const preview = fleet("rotate", REF, "postgres-password", "--preview", "--json");
        expect(preview.status, preview.stderr.slice(-3000)).toBe(0);
        const restarts = (JSON.parse(preview.stdout) as { restarts: string[] }).restarts;
        expect(restarts).toEqual(expect.arrayContaining([`${REF}-db`, `${REF}-auth`, `${REF}-rest`, `${REF}-storage`]));
        expect(restarts).not.toContain(`${REF}-kong`);
        expect(preview.stdout).not.toContain(oldPassword);
        expect(passwordOf()).toBe(oldPassword); // the preview put the config back
        expect(containerIds()).toEqual(before);

        const rotate = fleet("rotate", REF, "postgres-password");
        expectOk(rotate);
        const newPassword = passwordOf();
        expect(newPassword).not.toBe(oldPassword);
        expect(`${rotate.stdout}${rotate.stderr}`).not.toContain(newPassword);
        expectOnlyPassword(["authenticator", "pgbouncer", "supabase_auth_admin", "supabase_storage_admin", "supabase_admin", "postgres"], newPassword, oldPassword);
        // Only what reads the password was replaced; the gateway and the volumes are the same objects.
        const after = containerIds();
        expect(after[`${REF}-kong`]).toBe(before[`${REF}-kong`]);
        for (const name of restarts) expect(after[name], name).not.toBe(before[name]);
        expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
        expect(runOk("docker", ["volume", "ls", "-q", "--filter", `label=supabase-fleet.tenant=${REF}`])).toBe(volumes);
        // The real GoTrue runs on the new password: the user still signs in; the rows are all there.
        expectSignIn(REF);
        expect(sql(REF, "SELECT count(*) FROM public.notes")).toBe("250");
        // Nothing is left to do: the next preview changes nothing.
        const again = JSON.parse(fleetOk("preview", REF, "--json")) as { tenants: { result: { changeSummary: Record<string, number> } }[] };
        expect(Object.keys(again.tenants[0]!.result.changeSummary).filter((op) => op !== "same")).toEqual([]);
    }, 900_000);

    it("restore --in-place puts the backup over the live tenant into a new data volume, and upgrade-db --rollback goes back to the kept one", () => {
        sql(REF, "INSERT INTO public.notes (body) VALUES ('written after the backup')");
        const restored = fleet("restore", REF, "--from", "latest", "--in-place");
        expectOk(restored);
        expect(sql(REF, "SELECT count(*) FROM public.notes")).toBe("250");
        expectSignIn(REF);
        const mounts = JSON.parse(runOk("docker", ["inspect", `${REF}-db`, "--format", "{{json .Mounts}}"])) as { Name?: string }[];
        expect(mounts.map((mount) => mount.Name)).toContain(`${REF}-db-data-g2`);
        expect(runOk("docker", ["volume", "inspect", `${REF}-db-data`, "--format", "{{.Name}}"]).trim()).toBe(`${REF}-db-data`); // kept

        fleetOk("upgrade-db", REF, "--rollback");
        expect(sql(REF, "SELECT count(*) FROM public.notes")).toBe("251");
        fleetOk("upgrade-db", REF, "--confirm");
        expect(run("docker", ["volume", "inspect", `${REF}-db-data-g2`]).status).not.toBe(0);
        expect(sql(REF, "SELECT count(*) FROM public.notes")).toBe("251");
    }, 900_000);
});

// The edge proxy's suite runs in this file's worker, after the backups: this worker ends first of
// the three end-to-end files, so a fourth file beside them on 2 cores is avoided (see devStack.test.ts).
describeEdge();
