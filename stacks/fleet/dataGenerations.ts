/**
 * Data generations of a tenant's db: `fleet upgrade-db <ref>` moves the data to the Postgres major its
 * release runs, and `fleet restore <ref> --in-place` puts a backup back over a live tenant. Both write
 * into a new generation of the db data volume and keep the old one until `--confirm`.
 *
 * Upstream's `utils/upgrade-pg17.sh` runs pg_upgrade with both majors' binaries in one container;
 * here each db image carries one major, so the upgrade is logical: a fresh backup (roles, every
 * database, the volumes) is restored into a new, empty data directory of the new major and checked
 * table by table against its dumps. The old data directory is never written: `--rollback` points the
 * tenant back at it (keeping the new one in turn), `--confirm` removes the one not in use.
 */
import { PassThrough } from "node:stream";
import { KEPT_GENERATION, MAX_DB_DATA_GENERATION } from "../../components/config/constants.js";
import { TenantConfigError } from "../../components/config/load.js";
import type { TenantConfig } from "../../components/config/schema.js";
import { dbDataVolumeName } from "../../components/names.js";
import { RELEASES } from "../../components/releases.js";
import { DB_SERVICE, TenantDb } from "../backup/dbCommands.js";
import { restoreBackup, type RestoreReport } from "../backup/restore.js";
import type { BackupStore } from "../backup/store.js";
import type { TenantDockerHost } from "../docker/types.js";
import { backupTenant } from "./backups.js";
import { dockerConnectionOf } from "./fleetConfigs.js";
import { Fleet, FleetUsageError, type RunContext } from "./fleet.js";
import { DATA_GENERATION_KEYS, isPaused, tenantConfigFromStack } from "./stackConfig.js";
import { errorFirstLine } from "./table.js";

/** One generation of a tenant's db data: its volume and the major that wrote it. */
export interface DataGeneration {
    readonly generation: number;
    readonly postgresMajor: number;
}

/** Extensions upstream's script checks for: Postgres 17's image has none of them. */
export const EXTENSIONS_ABSENT_IN_17 = ["timescaledb", "plv8", "plcoffee", "plls"] as const;
/** Upstream's disk rule: free space of at least twice the data plus 5 GB. */
const DISK_HEADROOM_KIB = 5 * 1024 * 1024;

const generationText = (data: DataGeneration) => `${data.generation}:${data.postgresMajor}`;

function parseKept(text: string | undefined): DataGeneration | undefined {
    const match = text === undefined ? null : KEPT_GENERATION.exec(text);
    return match ? { generation: Number(match[1]), postgresMajor: Number(match[2]) } : undefined;
}

async function settingsOf(fleet: Fleet, ref: string): Promise<{ config: Record<string, string>; settings: TenantConfig }> {
    const config = await fleet.engine.getConfig(ref);
    try {
        return { config, settings: tenantConfigFromStack(ref, config) };
    } catch (error) {
        if (error instanceof TenantConfigError) throw new FleetUsageError(error.problems.join("; "));
        throw error;
    }
}

function checkNothingKept(ref: string, settings: TenantConfig): void {
    const kept = parseKept(settings.dbDataKeptGeneration);
    if (kept) {
        throw new FleetUsageError(
            `${ref} still keeps its data volume ${dbDataVolumeName(ref, kept.generation)} (Postgres ${kept.postgresMajor}) from the last upgrade or restore: fleet upgrade-db ${ref} --confirm removes it, --rollback goes back to it`,
        );
    }
}

function nextGeneration(ref: string, current: DataGeneration, postgresMajor: number): DataGeneration {
    if (current.generation >= MAX_DB_DATA_GENERATION) throw new FleetUsageError(`${ref} is on its last db data generation (${MAX_DB_DATA_GENERATION}); restore a backup into a new tenant instead`);
    return { generation: current.generation + 1, postgresMajor };
}

export interface DbUpgradePlan {
    readonly ref: string;
    readonly from: DataGeneration;
    readonly to: DataGeneration;
    readonly fromVolume: string;
    readonly toVolume: string;
    readonly dbImage: string;
}

/** Usage errors for everything the upgrade cannot start with, before anything is written. */
export async function planDbUpgrade(fleet: Fleet, ref: string): Promise<DbUpgradePlan> {
    const { config, settings } = await settingsOf(fleet, ref);
    if (isPaused(config)) throw new FleetUsageError(`${ref} is paused: the upgrade backs up the running database first; fleet resume ${ref}`);
    checkNothingKept(ref, settings);
    const stated = fleet.registry?.tenants.find((tenant) => tenant.ref === ref)?.settings;
    for (const key of ["dbDataPostgresMajor", ...DATA_GENERATION_KEYS] as const) {
        if (stated?.[key] !== undefined) throw new FleetUsageError(`${fleet.registry!.source} states ${key} for ${ref}: remove it there (the stack records it), then run fleet upgrade-db`);
    }
    const release = RELEASES[settings.release];
    if (settings.dbDataPostgresMajor >= release.postgresMajor) {
        throw new FleetUsageError(`${ref}'s data is on Postgres ${settings.dbDataPostgresMajor}, the newest its release ${release.name} runs; a newer release first (fleet upgrade ${ref} --release <name>)`);
    }
    if (settings.dbImage !== undefined) throw new FleetUsageError(`${ref} sets dbImage (${settings.dbImage}): the upgrade runs its release's db image; remove the override first`);
    const from = { generation: settings.dbDataGeneration, postgresMajor: settings.dbDataPostgresMajor };
    const to = nextGeneration(ref, from, release.postgresMajor);
    return { ref, from, to, fromVolume: dbDataVolumeName(ref, from.generation), toVolume: dbDataVolumeName(ref, to.generation), dbImage: release.images.db };
}

/**
 * Checks inside the running db: no extension the new major lacks, and room for the new data
 * directory beside the old one (upstream's rule). Each problem is one line; none means go.
 */
export async function dbUpgradePreflight(fleet: Fleet, plan: DbUpgradePlan): Promise<string[]> {
    const host = fleet.docker(dockerConnectionOf(await fleet.engine.getConfig(plan.ref)));
    const problems: string[] = [];
    const occupied = await occupiedTargetProblem(host, plan);
    if (occupied) problems.push(occupied);
    const probe = [
        `SELECT 'ext ' || extname FROM pg_extension WHERE extname IN (${EXTENSIONS_ABSENT_IN_17.map((name) => `'${name}'`).join(", ")})`,
        "UNION ALL SELECT 'dir ' || setting FROM pg_settings WHERE name = 'data_directory';",
    ].join("\n");
    const lines = await new TenantDb(host, plan.ref).query(probe, "postgres", "checking the extensions");
    const extensions = lines.filter((line) => line.startsWith("ext ")).map((line) => line.slice(4));
    if (extensions.length) {
        problems.push(`extensions ${extensions.join(", ")} do not exist on Postgres ${plan.to.postgresMajor}: drop them first (DROP EXTENSION … CASCADE, once nothing needs them)`);
    }
    const directory = lines.find((line) => line.startsWith("dir "))?.slice(4);
    if (directory) {
        const chunks: Buffer[] = [];
        const stdout = new PassThrough().on("data", (chunk: Buffer) => chunks.push(chunk));
        const result = await host.exec(plan.ref, DB_SERVICE, { command: ["sh", "-c", 'du -sk "$1" | cut -f1; df -Pk "$1" | tail -n 1 | tr -s " " | cut -d " " -f4', "sh", directory], stdout });
        const [used, free] = Buffer.concat(chunks).toString("utf8").trim().split("\n").map(Number);
        if (result.exitCode !== 0 || !Number.isFinite(used) || !Number.isFinite(free)) problems.push(`the free disk space of ${plan.ref}'s db could not be read (exit ${result.exitCode})`);
        else if (free! < 2 * used! + DISK_HEADROOM_KIB) {
            problems.push(`${formatKib(free!)} free beside ${formatKib(used!)} of data: the upgrade wants at least ${formatKib(2 * used! + DISK_HEADROOM_KIB)} (twice the data and 5 GiB)`);
        }
    }
    return problems;
}

/**
 * The new generation must start on an empty data directory: Docker would hand a volume of that name
 * that is already on the host (left by an earlier try, or made by hand) to the stack as it is, and the
 * restore would then run over whatever it holds.
 */
async function occupiedTargetProblem(host: TenantDockerHost, plan: DbUpgradePlan): Promise<string | undefined> {
    if (!(await host.volumeExists(plan.toVolume))) return undefined;
    return `volume ${plan.toVolume} is already on ${plan.ref}'s host, and the new generation must start empty: back it up or remove it (docker volume rm ${plan.toVolume}), then run this again`;
}

const formatKib = (kib: number) => `${(kib / 1024 / 1024).toFixed(1)} GiB`;

export interface DbUpgradeOutcome {
    readonly ref: string;
    readonly from: string;
    readonly to: string;
    readonly backup: string;
    readonly tablesChecked: number;
    /** The volume kept until --confirm. */
    readonly keptVolume: string;
}

export class DbUpgradeFailedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DbUpgradeFailedError";
    }
}

/**
 * Backs up, switches the tenant to the new generation and major (the old one recorded as kept),
 * deploys it (a new, empty data directory), restores the backup into it and checks every table.
 * Anything failing after the switch puts the tenant back on its old generation, keeping the new one.
 */
export async function upgradeDb(fleet: Fleet, store: BackupStore, plan: DbUpgradePlan, context: RunContext = {}): Promise<DbUpgradeOutcome> {
    const backup = await backupTenant(fleet, store, plan.ref, {}, context);
    const restored = await restoreIntoNewGeneration(fleet, store, plan, backup.id, context);
    return { ref: plan.ref, from: `Postgres ${plan.from.postgresMajor}`, to: `Postgres ${plan.to.postgresMajor}`, backup: backup.id, tablesChecked: restored.tablesChecked, keptVolume: plan.fromVolume };
}

/**
 * Switches the tenant to the plan's new generation (the old one recorded as kept), deploys it (a new,
 * empty data directory), restores the backup into it and checks every table and file. Anything
 * failing after the switch puts the tenant back on its old generation, keeping the new one.
 */
async function restoreIntoNewGeneration(fleet: Fleet, store: BackupStore, plan: DbUpgradePlan, backupId: string, context: RunContext): Promise<RestoreReport> {
    await switchGeneration(fleet, plan.ref, plan.to, plan.from);
    try {
        await fleet.up(plan.ref, context);
        const opened = await store.open(await store.find(plan.ref, backupId));
        try {
            const connection = dockerConnectionOf(await fleet.engine.getConfig(plan.ref));
            const report = await restoreBackup({ host: fleet.docker(connection), ref: plan.ref, entry: opened.entry, folder: opened.folder, onProgress: () => context.onProgress?.({ done: 0 }) });
            const problems = [...report.rowProblems, ...report.fileProblems];
            if (problems.length) throw new Error(`the restored data does not match the backup: ${problems.slice(0, 5).join("; ")}`);
            return report;
        } finally {
            opened.release();
        }
    } catch (error) {
        const reason = errorFirstLine(error);
        if (context.signal?.aborted) throw error;
        await switchGeneration(fleet, plan.ref, plan.from, plan.to);
        try {
            await fleet.up(plan.ref, context);
        } catch (rollback) {
            throw new DbUpgradeFailedError(`writing ${plan.ref}'s data into ${plan.toVolume} failed (${reason}); going back to ${plan.fromVolume} failed too (${errorFirstLine(rollback)}): fleet up ${plan.ref}`);
        }
        throw new DbUpgradeFailedError(`writing ${plan.ref}'s data into ${plan.toVolume} failed (${reason}); rolled back: it runs Postgres ${plan.from.postgresMajor} on ${plan.fromVolume} again (backup ${backupId}; ${plan.toVolume} is kept until fleet upgrade-db ${plan.ref} --confirm)`);
    }
}

export interface InPlaceRestoreOutcome extends RestoreReport {
    readonly ref: string;
    readonly backup: string;
    readonly keptVolume: string;
}

/**
 * Checks for `fleet restore <ref> --in-place`, before anything is written: the tenant runs, keeps no
 * other volume, and the backup is of its release (the services' state schemas are the release's).
 */
export async function planInPlaceRestore(fleet: Fleet, store: BackupStore, ref: string, from: string): Promise<{ plan: DbUpgradePlan; backupId: string }> {
    const { config, settings } = await settingsOf(fleet, ref);
    if (isPaused(config)) throw new FleetUsageError(`${ref} is paused: an in-place restore deploys the tenant; fleet resume ${ref} first`);
    checkNothingKept(ref, settings);
    const entry = await store.find(ref, from);
    if (entry.manifest.release !== settings.release) {
        throw new FleetUsageError(`backup ${entry.id} is of release ${entry.manifest.release}, ${ref} runs ${settings.release}: restore it into a new tenant (--into <new-ref>), which gets the backup's release`);
    }
    const current = { generation: settings.dbDataGeneration, postgresMajor: settings.dbDataPostgresMajor };
    const next = nextGeneration(ref, current, settings.dbDataPostgresMajor);
    const plan = { ref, from: current, to: next, fromVolume: dbDataVolumeName(ref, current.generation), toVolume: dbDataVolumeName(ref, next.generation), dbImage: RELEASES[settings.release].images.db };
    const occupied = await occupiedTargetProblem(fleet.docker(dockerConnectionOf(config)), plan);
    if (occupied) throw new FleetUsageError(occupied);
    return { plan, backupId: entry.id };
}

/** Restores a backup over a live tenant: into a new db data volume, the current one kept until --confirm. */
export async function restoreInPlace(fleet: Fleet, store: BackupStore, planned: { plan: DbUpgradePlan; backupId: string }, context: RunContext = {}): Promise<InPlaceRestoreOutcome> {
    const report = await restoreIntoNewGeneration(fleet, store, planned.plan, planned.backupId, context);
    return { ...report, ref: planned.plan.ref, backup: planned.backupId, keptVolume: planned.plan.fromVolume };
}

async function switchGeneration(fleet: Fleet, ref: string, use: DataGeneration, keep: DataGeneration): Promise<void> {
    await fleet.engine.setConfig(ref, { dbDataGeneration: use.generation, dbDataPostgresMajor: use.postgresMajor, dbDataKeptGeneration: generationText(keep) }, []);
}

/** The generation in use and the kept one of a tenant that has one, or a usage error naming the command. */
export async function generations(fleet: Fleet, ref: string, what: string): Promise<{ current: DataGeneration; kept: DataGeneration }> {
    const { config, settings } = await settingsOf(fleet, ref);
    const kept = parseKept(settings.dbDataKeptGeneration);
    if (!kept) throw new FleetUsageError(`${ref} keeps no other data volume: there is nothing to ${what} (fleet upgrade-db ${ref} upgrades its data)`);
    if (what === "roll back to" && isPaused(config)) throw new FleetUsageError(`${ref} is paused: fleet resume ${ref} first`);
    return { current: { generation: settings.dbDataGeneration, postgresMajor: settings.dbDataPostgresMajor }, kept };
}

/** Puts the tenant back on the kept generation; the one it leaves is kept in turn. */
export async function rollbackDb(fleet: Fleet, ref: string, context: RunContext = {}): Promise<{ ref: string; to: string; keptVolume: string }> {
    const { current, kept } = await generations(fleet, ref, "roll back to");
    await switchGeneration(fleet, ref, kept, current);
    await fleet.up(ref, context);
    return { ref, to: `Postgres ${kept.postgresMajor} on ${dbDataVolumeName(ref, kept.generation)}`, keptVolume: dbDataVolumeName(ref, current.generation) };
}

/** Removes the kept generation: it leaves the stack, then its volume leaves the host. */
export async function confirmDb(fleet: Fleet, ref: string, context: RunContext = {}): Promise<{ ref: string; removedVolume: string }> {
    const { kept } = await generations(fleet, ref, "confirm");
    await fleet.engine.removeConfig(ref, ["dbDataKeptGeneration"]);
    await fleet.up(ref, context);
    const volume = dbDataVolumeName(ref, kept.generation);
    await fleet.docker(dockerConnectionOf(await fleet.engine.getConfig(ref))).removeVolume(ref, volume);
    return { ref, removedVolume: volume };
}
