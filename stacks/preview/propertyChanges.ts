/**
 * Turns raw per-path differences (from Pulumi's detailedDiff, its diff keys, or the plan's own input diff)
 * into the property lines a reviewer reads, with values looked up in the old and new inputs.
 *
 * Two readability rules:
 * - a property that is secret as a whole is reported once, by name, however many paths changed in it;
 * - a list of `NAME=value` strings (container `envs`) is compared by variable name, because one inserted
 *   variable shifts every index after it and Pulumi then reports each shifted index as changed.
 */
import type { PropertyChange } from "./types.js";
import { classify, isSensitiveName, lookupPath, toDisplayValue, topLevelProperty } from "./values.js";

export interface RawDiff {
    path: string;
    kind: "add" | "update" | "delete";
    forcesReplacement: boolean;
}

const ENV_ENTRY = /^([A-Za-z_][A-Za-z0-9_.-]*)=/;

export function buildPropertyChanges(diffs: RawDiff[], oldInputs: unknown, newInputs: unknown): PropertyChange[] {
    const groups = new Map<string, RawDiff[]>();
    for (const diff of diffs) {
        const top = topLevelProperty(diff.path);
        groups.set(top, [...(groups.get(top) ?? []), diff]);
    }
    const changes: PropertyChange[] = [];
    for (const [top, group] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        const forces = group.some((d) => d.forcesReplacement);
        const oldTop = lookupPath(oldInputs, top);
        const newTop = lookupPath(newInputs, top);
        if (oldTop.kind === "secret" || newTop.kind === "secret") {
            changes.push({ path: top, kind: mergedKind(oldTop.kind, newTop.kind), forcesReplacement: forces, old: { kind: "secret" }, new: { kind: "secret" } });
            continue;
        }
        const envLists = asEnvLists(oldTop, newTop);
        if (envLists) {
            changes.push(...envChanges(top, envLists.old, envLists.new, forces));
            continue;
        }
        for (const diff of group.sort((a, b) => comparePaths(a.path, b.path))) {
            changes.push({
                path: diff.path,
                kind: diff.kind,
                forcesReplacement: diff.forcesReplacement,
                old: toDisplayValue(lookupPath(oldInputs, diff.path)),
                new: toDisplayValue(lookupPath(newInputs, diff.path)),
            });
        }
    }
    return changes;
}

function mergedKind(oldKind: string, newKind: string): RawDiff["kind"] {
    if (oldKind === "absent") return "add";
    if (newKind === "absent") return "delete";
    return "update";
}

type Found = ReturnType<typeof lookupPath>;

function asEnvLists(oldTop: Found, newTop: Found): { old: string[]; new: string[] } | undefined {
    const list = (found: Found): string[] | undefined => {
        if (found.kind === "absent") return [];
        if (found.kind !== "value" || !Array.isArray(found.value)) return undefined;
        return found.value.every((entry) => typeof entry === "string" && ENV_ENTRY.test(entry)) ? (found.value as string[]) : undefined;
    };
    const oldList = list(oldTop);
    const newList = list(newTop);
    if (!oldList || !newList || oldList.length + newList.length === 0) return undefined;
    return { old: oldList, new: newList };
}

function envChanges(top: string, oldList: string[], newList: string[], forces: boolean): PropertyChange[] {
    const toMap = (list: string[]) => new Map(list.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
    const before = toMap(oldList);
    const after = toMap(newList);
    const names = [...new Set([...before.keys(), ...after.keys()])].sort();
    const changes: PropertyChange[] = [];
    for (const name of names) {
        const oldValue = before.get(name);
        const newValue = after.get(name);
        if (oldValue === newValue) continue;
        const hide = isSensitiveName(name);
        changes.push({
            path: `${top}[${name}]`,
            kind: oldValue === undefined ? "add" : newValue === undefined ? "delete" : "update",
            forcesReplacement: forces,
            old: toDisplayValue(classify(oldValue), hide),
            new: toDisplayValue(classify(newValue), hide),
        });
    }
    return changes;
}

/** Orders `envs[2]` before `envs[10]`. */
function comparePaths(a: string, b: string): number {
    return a.localeCompare(b, "en", { numeric: true });
}
