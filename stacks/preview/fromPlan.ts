/**
 * Adapter from two offline plan snapshots (base and head commit) of one stack to the renderer's model:
 * the difference of the desired state, classified as the Docker provider would (replace vs update).
 */
import { HOST_PROJECT_NAME } from "../../components/hostServices/catalog.js";
import { UNSET_RELEASE } from "../../components/releases.js";
import { dataLossRisk } from "./dataLoss.js";
import { buildPropertyChanges, type RawDiff } from "./propertyChanges.js";
import { forcesReplacement, isComponentType, isIgnoredChange } from "./replacementRules.js";
import type { ChangeCounts, ResourceChange, TenantReport } from "./types.js";
import { isPlainObject, topLevelProperty } from "./values.js";

/** One resource of a plan snapshot (`snapshots/<stack>.json`). */
export interface PlanResource {
    type: string;
    name: string;
    parent: string | null;
    dependsOn: string[];
    inputs: Record<string, unknown>;
}

export interface PlanDocument {
    stack: string;
    project: string;
    resources: PlanResource[];
    outputs: Record<string, unknown>;
}

const key = (r: PlanResource) => `${r.type}::${r.name}`;

/** Diffs one stack; a missing side means the tenant was added (no base) or removed (no head). */
export function tenantReportFromPlans(ref: string, base: PlanDocument | undefined, head: PlanDocument | undefined): TenantReport {
    const before = new Map((base?.resources ?? []).map((r) => [key(r), r]));
    const after = new Map((head?.resources ?? []).map((r) => [key(r), r]));
    const counts: ChangeCounts = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
    const changes: ResourceChange[] = [];

    for (const id of [...new Set([...before.keys(), ...after.keys()])].sort()) {
        const change = resourceChange(before.get(id), after.get(id));
        if (change) {
            counts[change.op]++;
            changes.push(change);
        } else counts.same++;
    }
    const host = (head ?? base)?.project === HOST_PROJECT_NAME;
    const notes: string[] = [];
    if (!base) notes.push(host ? "new host stack: every resource is created" : "new tenant: every resource is created");
    if (!head) notes.push(host ? "host stack removed from the repository: fleet sync leaves its proxy running until fleet destroy-host removes it" : "tenant removed from the repository: its stack would be destroyed");
    const outputNames = changedKeys(base?.outputs ?? {}, head?.outputs ?? {});
    if (base && head && outputNames.length > 0) notes.push(`stack outputs changed: ${outputNames.map((n) => `\`${n}\``).join(", ")}`);
    return { ref, status: "ok", counts, changes, notes, ...(host ? { kind: "host" as const } : {}), ...releasesOf(base, head) };
}

/** The release output of each side; a snapshot made before releases existed ran the unset one. */
function releasesOf(base: PlanDocument | undefined, head: PlanDocument | undefined): Pick<TenantReport, "release" | "previousRelease"> {
    const releaseOf = (document: PlanDocument | undefined) => (typeof document?.outputs.release === "string" ? document.outputs.release : undefined);
    const after = releaseOf(head) ?? releaseOf(base);
    if (after === undefined) return {};
    const before = base ? (releaseOf(base) ?? UNSET_RELEASE) : undefined;
    return { release: after, ...(head && before !== undefined && before !== after ? { previousRelease: before } : {}) };
}

function resourceChange(oldResource: PlanResource | undefined, newResource: PlanResource | undefined): ResourceChange | undefined {
    const resource = (newResource ?? oldResource)!;
    const base = { type: resource.type, name: resource.name, notes: [] as string[] };
    if (!oldResource || !newResource) {
        const op = oldResource ? "delete" : "create";
        const change: ResourceChange = { ...base, op, replaceReasons: [], properties: [] };
        const risk = dataLossRisk({ op, type: resource.type, name: resource.name, oldInputs: oldResource?.inputs, newInputs: newResource?.inputs });
        if (risk) change.dataLossRisk = risk;
        return change;
    }
    const component = isComponentType(resource.type);
    const raw: RawDiff[] = diffPaths(oldResource.inputs, newResource.inputs, "")
        .filter(({ path }) => !isIgnoredChange(resource.type, topLevelProperty(path)))
        .map(({ path, kind }) => ({ path, kind, forcesReplacement: forcesReplacement(resource.type, topLevelProperty(path), component) }));
    const parentChanged = (oldResource.parent ?? null) !== (newResource.parent ?? null);
    if (raw.length === 0 && !parentChanged) return undefined;

    const replaceReasons = [...new Set(raw.filter((d) => d.forcesReplacement).map((d) => topLevelProperty(d.path)))].sort();
    // A new parent gives the resource a new URN: Pulumi deletes the old one and creates a new one.
    if (parentChanged && !component) replaceReasons.push("parent");
    const op = replaceReasons.length > 0 ? "replace" : "update";
    if (parentChanged) base.notes.push(`parent changes from \`${oldResource.parent ?? "(none)"}\` to \`${newResource.parent ?? "(none)"}\` (new URN unless an alias is set)`);
    const change: ResourceChange = { ...base, op, replaceReasons, properties: buildPropertyChanges(raw, oldResource.inputs, newResource.inputs) };
    const risk = dataLossRisk({ op, type: resource.type, name: resource.name, oldInputs: oldResource.inputs, newInputs: newResource.inputs });
    if (risk) change.dataLossRisk = risk;
    return change;
}

/** Leaf paths that differ, in Pulumi's path notation; arrays compare by index as the engine does. */
export function diffPaths(oldValue: unknown, newValue: unknown, prefix: string): { path: string; kind: RawDiff["kind"] }[] {
    if (oldValue === undefined && newValue === undefined) return [];
    if (oldValue === undefined) return [{ path: prefix, kind: "add" }];
    if (newValue === undefined) return [{ path: prefix, kind: "delete" }];
    if (Array.isArray(oldValue) && Array.isArray(newValue)) {
        const result: { path: string; kind: RawDiff["kind"] }[] = [];
        for (let i = 0; i < Math.max(oldValue.length, newValue.length); i++) result.push(...diffPaths(oldValue[i], newValue[i], `${prefix}[${i}]`));
        return result;
    }
    if (isPlainObject(oldValue) && isPlainObject(newValue)) {
        const result: { path: string; kind: RawDiff["kind"] }[] = [];
        for (const k of [...new Set([...Object.keys(oldValue), ...Object.keys(newValue)])].sort()) {
            result.push(...diffPaths(oldValue[k], newValue[k], joinKey(prefix, k)));
        }
        return result;
    }
    return JSON.stringify(oldValue) === JSON.stringify(newValue) ? [] : [{ path: prefix, kind: "update" }];
}

function joinKey(prefix: string, k: string): string {
    if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(k)) return prefix === "" ? k : `${prefix}.${k}`;
    return `${prefix}[${JSON.stringify(k)}]`;
}

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}
