/**
 * Backup, restore and drill as fleet operations: each finds the tenant's Docker host from its stack
 * (or, for a tenant that is gone, from the registry), and restores only into a tenant deployed for
 * the purpose, never over one that holds data.
 */
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { INTERNAL_PORTS, SERVICE_CATALOG } from "../../components/catalog.js";
import { DB_SERVICE, TenantDb } from "../backup/dbCommands.js";
import type { BackupEntry, Retention } from "../backup/folder.js";
import type { BackupStore } from "../backup/store.js";
import { restoreBackup, verifyBackup, type RestoreReport } from "../backup/restore.js";
import { takeBackup } from "../backup/takeBackup.js";
import { dockerConnectionOf } from "./fleetConfigs.js";
import { Fleet, FleetUsageError, type RunContext } from "./fleet.js";
import { releaseOfStack } from "./stackConfig.js";

export interface BackupOutcome {
    readonly ref: string;
    readonly id: string;
    readonly dir: string;
    readonly bytes: number;
    readonly durationMs: number;
    /** Older backups removed by the retention rules. */
    readonly removed: readonly string[];
}

export async function backupTenant(fleet: Fleet, store: BackupStore, ref: string, retention: Retention, context: RunContext = {}): Promise<BackupOutcome> {
    const config = await fleet.engine.getConfig(ref);
    const connection = dockerConnectionOf(config);
    await fleet.ensureReachable(connection);
    const entry = await store.save(ref, (folder) =>
        takeBackup({
            host: fleet.docker(connection),
            ref,
            release: releaseOfStack(config),
            folder,
            onProgress: () => context.onProgress?.({ done: 0 }),
        }),
    );
    const removed = await store.applyRetention(ref, retention, new Date());
    return { ref, id: entry.id, dir: entry.dir, bytes: entry.bytes, durationMs: entry.manifest.durationMs, removed };
}

export interface RestoreOutcome extends RestoreReport {
    readonly from: string;
    readonly backup: string;
    readonly into: string;
}

export class RestoreCheckError extends Error {
    constructor(readonly outcome: RestoreOutcome) {
        super(`${outcome.into} was restored from ${outcome.from}/${outcome.backup}, but it does not match the backup: ${[...outcome.rowProblems, ...outcome.fileProblems].slice(0, 5).join("; ")}`);
        this.name = "RestoreCheckError";
    }
}

/**
 * The tenant a restore goes into, or a usage error when that stack exists: a restore never writes
 * over a tenant. The CLI calls it before the run starts, so the refusal is a usage error (exit 2).
 */
export async function checkRestoreTarget(fleet: Fleet, request: { source: string; into?: string }): Promise<string> {
    const into = request.into ?? request.source;
    const existing = (await fleet.engine.listStacks()).map((stack) => stack.ref);
    if (existing.includes(into)) {
        throw new FleetUsageError(
            into === request.source
                ? `${into} still exists: a restore never writes over a tenant; restore into a new tenant with --into <new-ref> (or destroy ${into} first, if its data is to go)`
                : `${into} already exists: a restore goes into a new tenant only; pick another --into ref`,
        );
    }
    return into;
}

/**
 * Restores a backup of `source` into a new tenant `into` (the source's own ref when that stack is
 * gone): the tenant is created on `hostName` (or the source's registry host) with the backup's
 * release, deployed, then filled. An existing stack is never restored over.
 */
export async function restoreTenant(
    fleet: Fleet,
    store: BackupStore,
    request: { source: string; from: string; into?: string; hostName?: string },
    context: RunContext = {},
): Promise<RestoreOutcome> {
    const entry = await store.find(request.source, request.from);
    const into = await checkRestoreTarget(fleet, request);
    const outcome = await deployAndRestore(fleet, store, entry, into, request.hostName, context);
    if (outcome.rowProblems.length > 0 || outcome.fileProblems.length > 0) throw new RestoreCheckError(outcome);
    return outcome;
}

export interface DrillOutcome extends RestoreOutcome {
    /** The restored user that signed in through auth, or why none was tried. */
    readonly signIn: { readonly email: string } | { readonly skipped: string };
}

export class DrillFailedError extends Error {
    constructor(ref: string, id: string, problems: readonly string[]) {
        super(`drill of ${ref} backup ${id} failed: ${problems.slice(0, 5).join("; ")}`);
        this.name = "DrillFailedError";
    }
}

/** The scratch tenant of a drill: the ref with a suffix, within the ref's 32 characters. */
export function drillRef(ref: string): string {
    return `${ref.slice(0, 26).replace(/-+$/, "")}-drill`;
}

/**
 * Restores a backup into a scratch tenant, checks that every row and file came back and that a
 * restored user signs in through auth, then removes the scratch tenant with its data, whatever
 * happened. Throws `DrillFailedError` when the backup does not restore.
 */
export async function drillTenant(fleet: Fleet, store: BackupStore, request: { source: string; from: string; hostName?: string }, context: RunContext = {}): Promise<DrillOutcome> {
    const entry = await store.find(request.source, request.from);
    const scratch = drillRef(request.source);
    if ((await fleet.engine.listStacks()).some((stack) => stack.ref === scratch)) {
        throw new FleetUsageError(`the drill's scratch tenant ${scratch} already exists (a drill that was interrupted?); remove it with fleet destroy ${scratch} --delete-data --yes`);
    }
    let created = false;
    try {
        const outcome = await deployAndRestore(fleet, store, entry, scratch, request.hostName, context, () => (created = true));
        const signIn = await signInRestoredUser(fleet, scratch);
        const problems = [...outcome.rowProblems, ...outcome.fileProblems, ...("failed" in signIn ? [signIn.failed] : [])];
        if (problems.length > 0) throw new DrillFailedError(request.source, entry.id, problems);
        return { ...outcome, signIn: signIn as DrillOutcome["signIn"] };
    } catch (error) {
        if (error instanceof DrillFailedError || error instanceof FleetUsageError) throw error;
        throw new DrillFailedError(request.source, entry.id, [error instanceof Error ? error.message : String(error)]);
    } finally {
        if (created) await fleet.destroy(scratch, true).catch(() => undefined);
    }
}

async function deployAndRestore(fleet: Fleet, store: BackupStore, listed: BackupEntry, into: string, hostName: string | undefined, context: RunContext, onCreated?: () => void): Promise<RestoreOutcome> {
    // Read (downloaded from S3) and checked before anything is created.
    const { folder, entry, release } = await store.open(listed);
    try {
        await verifyBackup(folder, entry);
        const hostOfSource = await fleet.hostNameOf(entry.manifest.ref);
        await fleet.create(into, { release: entry.manifest.release, ...(hostName ?? hostOfSource ? { hostName: hostName ?? hostOfSource } : {}) });
        onCreated?.();
        await fleet.up(into, context); // throws when the deployment fails
        const connection = dockerConnectionOf(await fleet.engine.getConfig(into));
        const report = await restoreBackup({ host: fleet.docker(connection), ref: into, entry, folder, verified: true, onProgress: () => context.onProgress?.({ done: 0 }) });
        return { ...report, from: entry.manifest.ref, backup: entry.id, into };
    } finally {
        release();
    }
}

/**
 * Gives the first confirmed user of the restored scratch tenant a throw-away password (in the
 * scratch tenant only) and signs in with it through the scratch tenant's auth service: the
 * restored auth schema works with the real auth service and the scratch tenant's secrets.
 */
async function signInRestoredUser(fleet: Fleet, scratch: string): Promise<{ email: string } | { skipped: string } | { failed: string }> {
    const connection = dockerConnectionOf(await fleet.engine.getConfig(scratch));
    const db = new TenantDb(fleet.docker(connection), scratch);
    const [hasUsers] = await db.query("SELECT to_regclass('auth.users') IS NOT NULL;", "postgres", "looking for the auth schema");
    if (hasUsers !== "t") return { skipped: "the backup has no auth.users table" };
    const [user] = await db.query(
        "SELECT id || '|' || email FROM auth.users WHERE email IS NOT NULL AND email_confirmed_at IS NOT NULL AND deleted_at IS NULL ORDER BY created_at LIMIT 1;",
        "postgres",
        "finding a restored user",
    );
    if (user === undefined) return { skipped: "the backup has no confirmed user with an email" };
    const [id, email] = user.split("|") as [string, string];
    const password = randomBytes(18).toString("base64url");
    await db.query(
        [
            "\\getenv drill_password FLEET_DRILL_PASSWORD",
            "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;",
            "SELECT extnamespace::regnamespace AS crypto FROM pg_extension WHERE extname = 'pgcrypto' \\gset",
            `UPDATE auth.users SET encrypted_password = :crypto.crypt(:'drill_password', :crypto.gen_salt('bf')) WHERE id = '${id.replace(/'/g, "''")}';`,
        ].join("\n"),
        "postgres",
        "setting the drill user's password in the scratch tenant",
        [`FLEET_DRILL_PASSWORD=${password}`],
    );
    // From inside the tenant network, straight to auth: the same on every Docker host (no gateway
    // port needs to be reachable from here), with bash's /dev/tcp since no image can be assumed to have curl.
    const body = JSON.stringify({ email, password });
    const request = `exec 3<>/dev/tcp/${SERVICE_CATALOG.auth.alias}/${INTERNAL_PORTS.auth} && printf 'POST /token?grant_type=password HTTP/1.0\\r\\nHost: ${SERVICE_CATALOG.auth.alias}\\r\\nContent-Type: application/json\\r\\nContent-Length: %s\\r\\n\\r\\n%s' "\${#FLEET_DRILL_BODY}" "$FLEET_DRILL_BODY" >&3 && cat <&3`;
    const { status, token, exitCode } = await askWhileBusy(() => postToAuth(fleet, connection, scratch, request, body));
    if (exitCode !== 0 || status !== "200" || typeof token !== "string") {
        return { failed: `restored user ${email} could not sign in through auth (HTTP ${status}${exitCode !== 0 ? `, exit ${exitCode}` : ""})` };
    }
    return { email };
}

const DRILL_SIGN_IN_ATTEMPTS = 6;
const DRILL_SIGN_IN_PAUSE_MS = 5_000;

export interface AuthAnswer {
    /** The HTTP status, or "none" when no HTTP answer came. */
    readonly status: string;
    readonly token: unknown;
    readonly exitCode: number;
}

/**
 * Asks until auth answers other than busy (a 5xx or a 429), at most `attempts` times, `pauseMs` apart.
 * A password grant changes nothing that a second one minds, and an auth that has just started on a
 * loaded host may time its first requests out: the drill fails on what auth means, not on its load.
 */
export async function askWhileBusy(post: () => Promise<AuthAnswer>, attempts = DRILL_SIGN_IN_ATTEMPTS, pauseMs = DRILL_SIGN_IN_PAUSE_MS): Promise<AuthAnswer> {
    let answer = await post();
    for (let attempt = 1; attempt < attempts && answer.exitCode === 0 && (answer.status === "429" || answer.status.startsWith("5")); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        answer = await post();
    }
    return answer;
}

/** Runs the raw HTTP request in the scratch tenant's db container; the status and the token it answered. */
async function postToAuth(fleet: Fleet, connection: ReturnType<typeof dockerConnectionOf>, scratch: string, request: string, body: string): Promise<AuthAnswer> {
    const chunks: Buffer[] = [];
    const stdout = new PassThrough().on("data", (chunk: Buffer) => chunks.push(chunk));
    const result = await fleet.docker(connection).exec(scratch, DB_SERVICE, { command: ["bash", "-c", request], env: ["LC_ALL=C", `FLEET_DRILL_BODY=${body}`], stdout });
    const response = Buffer.concat(chunks).toString("utf8");
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? "none";
    const token = (() => {
        try {
            return (JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4)) as { access_token?: unknown }).access_token;
        } catch {
            return undefined;
        }
    })();
    return { status, token, exitCode: result.exitCode };
}
