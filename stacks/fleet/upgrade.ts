/**
 * `fleet upgrade --release <name>`: moves tenants to another named release, previewed first, applied
 * in waves (the canary tenants, then the rest), stopping at the first failure. A tenant whose update
 * fails is put back on the release it ran, by a second update. The release is written to the stack,
 * so `fleet sync` keeps it (sync honours a stack's recorded release unless fleet.yaml states one).
 * The Postgres data directory never changes major here: a release with an image for the tenant's
 * older major (upstream's pg15 set) runs that one, and a release without one is refused.
 */
import { TenantConfigError } from "../../components/config/load.js";
import { RELEASE_NAMES, RELEASES, serviceImage, type ReleaseName } from "../../components/releases.js";
import { OperationCancelledError, type OperationOutcome, type StackPreview } from "./engine.js";
import { Fleet, FleetUsageError, type RunContext } from "./fleet.js";
import { restartedContainers } from "./rotate.js";
import { errorFirstLine } from "./table.js";
import { isPaused, releaseOfStack, tenantConfigFromStack } from "./stackConfig.js";

/** One tenant of an upgrade, as checked before anything changes. */
export interface UpgradeItem {
    readonly ref: string;
    /** The release it runs now (a stack without the setting runs feb-2026). */
    readonly from: string;
    /** Whether the stack has a `release` setting: a rollback puts back exactly what was there. */
    readonly fromRecorded: boolean;
    readonly to: ReleaseName;
    readonly dataPostgresMajor: number;
    /** The db image the tenant runs on the target release. */
    readonly dbImage: string;
    /** What the tenant meets on the target release, for the preview. */
    readonly notes: readonly string[];
}

export interface UpgradePlan {
    readonly release: ReleaseName;
    readonly items: readonly UpgradeItem[];
    /** Tenants already on the release: nothing to do. */
    readonly current: readonly string[];
}

export function parseRelease(name: string | undefined): ReleaseName {
    if (name !== undefined && (RELEASE_NAMES as readonly string[]).includes(name)) return name as ReleaseName;
    throw new FleetUsageError(`--release: must be one of ${RELEASE_NAMES.join(", ")}${name === undefined ? " (fleet upgrade needs it)" : ` (got "${name}")`}`);
}

/**
 * Checks every tenant before anything is written: a release fleet.yaml states otherwise, a paused
 * tenant, and a config the target release refuses (a data major it has no image for) are usage errors.
 */
export async function planUpgrade(fleet: Fleet, release: ReleaseName, refs: readonly string[]): Promise<UpgradePlan> {
    const items: UpgradeItem[] = [];
    const current: string[] = [];
    for (const ref of refs) {
        const config = await fleet.engine.getConfig(ref);
        const from = releaseOfStack(config);
        if (from === release) {
            current.push(ref);
            continue;
        }
        const stated = fleet.registry?.tenants.find((tenant) => tenant.ref === ref)?.settings.release;
        if (stated !== undefined && stated !== release) {
            throw new FleetUsageError(`${ref}'s release is set to ${String(stated)} in ${fleet.registry!.source}: change it there to ${release} (or remove it), then run fleet upgrade`);
        }
        if (isPaused(config)) throw new FleetUsageError(`${ref} is paused: an upgrade is checked on the running tenant; fleet resume ${ref} first`);
        let settings;
        try {
            settings = tenantConfigFromStack(ref, { ...config, release });
        } catch (error) {
            if (error instanceof TenantConfigError) throw new FleetUsageError(error.problems.join("; "));
            throw error;
        }
        items.push({
            ref,
            from,
            fromRecorded: config.release !== undefined,
            to: release,
            dataPostgresMajor: settings.dbDataPostgresMajor,
            dbImage: serviceImage(RELEASES[release], "db", settings.dbImage, settings.dbDataPostgresMajor),
            notes: upgradeNotes(from, release),
        });
    }
    return { release, items, current };
}

/** The notes of every release moved into, oldest first; moving back says what goes away. */
export function upgradeNotes(from: string, to: ReleaseName): string[] {
    const fromIndex = (RELEASE_NAMES as readonly string[]).indexOf(from);
    const toIndex = RELEASE_NAMES.indexOf(to);
    if (toIndex < fromIndex) {
        return [`${to} is older than ${from}: what later releases added goes away (docs/releases.md), every container is replaced`];
    }
    return RELEASE_NAMES.slice(fromIndex + 1, toIndex + 1).flatMap((name) => RELEASES[name].upgradeNotes.map((note) => `${name}: ${note}`));
}

/** The canary tenants (the first `canary` of the plan) form the first wave, the others the second. */
export function upgradeWaves(items: readonly UpgradeItem[], canary: number | undefined): UpgradeItem[][] {
    if (canary === undefined || canary >= items.length) return items.length ? [[...items]] : [];
    return [items.slice(0, canary), items.slice(canary)];
}

export interface UpgradePreview {
    readonly ref: string;
    readonly from: string;
    readonly to: ReleaseName;
    readonly dbImage: string;
    readonly restarts: readonly string[];
    readonly notes: readonly string[];
    readonly preview: StackPreview;
}

/** The tenant's preview on the target release; its config is put back as it was, whatever happened. */
export async function previewUpgrade(fleet: Fleet, item: UpgradeItem, context: RunContext = {}): Promise<UpgradePreview> {
    await fleet.engine.setConfig(item.ref, { release: item.to }, []);
    try {
        const preview = await fleet.preview(item.ref, false, context);
        return { ref: item.ref, from: item.from, to: item.to, dbImage: item.dbImage, restarts: restartedContainers(preview), notes: item.notes, preview: { ...preview, events: [] } };
    } finally {
        await restoreRelease(fleet, item);
    }
}

export interface UpgradeOutcome {
    readonly ref: string;
    readonly from: string;
    readonly to: ReleaseName;
    readonly changes: OperationOutcome["changes"];
}

/** A tenant's upgrade failed; it was put back on its release, or the message says that failed too. */
export class UpgradeFailedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UpgradeFailedError";
    }
}

/** A tenant of the wave that was not started because another one failed first. */
export class UpgradeHeldError extends OperationCancelledError {
    constructor(ref: string, failed: string) {
        super(ref);
        this.message = `not started: the upgrade of ${failed} failed first; ${ref} stays on its release`;
        this.name = "UpgradeHeldError";
    }
}

/**
 * Writes the release and updates the tenant. On a failure the release it ran is written back and
 * applied again; the error then says whether the tenant runs its old release. (The update into
 * 0.8.2 also removes the database's copy of the JWT secret: the program's copy-removal command.)
 */
export async function upgradeTenant(fleet: Fleet, item: UpgradeItem, context: RunContext = {}): Promise<UpgradeOutcome> {
    await fleet.engine.setConfig(item.ref, { release: item.to }, []);
    let outcome: OperationOutcome;
    try {
        outcome = await fleet.up(item.ref, context);
    } catch (error) {
        const reason = errorFirstLine(error);
        if (context.signal?.aborted) throw error; // Ctrl-C: the engine already left the stack unlocked
        await restoreRelease(fleet, item);
        try {
            await fleet.up(item.ref, context);
        } catch (rollback) {
            throw new UpgradeFailedError(`upgrade to ${item.to} failed (${reason}); putting it back on ${item.from} failed too (${errorFirstLine(rollback)}): fleet status ${item.ref}, then fleet up ${item.ref}`);
        }
        throw new UpgradeFailedError(`upgrade to ${item.to} failed (${reason}); rolled back: it runs ${item.from} again`);
    }
    return { ref: item.ref, from: item.from, to: item.to, changes: outcome.changes };
}

async function restoreRelease(fleet: Fleet, item: UpgradeItem): Promise<void> {
    if (item.fromRecorded) await fleet.engine.setConfig(item.ref, { release: item.from }, []);
    else await fleet.engine.removeConfig(item.ref, ["release"]);
}
