/**
 * One shape for the steps of both of Pulumi's preview outputs (engine events and `pulumi preview --json`),
 * and the fold from steps to a tenant's changes.
 */
import type { OpMap } from "@pulumi/pulumi/automation/index.js";
import { dataLossRisk } from "./dataLoss.js";
import { buildPropertyChanges, type RawDiff } from "./propertyChanges.js";
import type { ChangeCounts, ChangeOp, ResourceChange } from "./types.js";
import { isPlainObject, lookupPath, topLevelProperty } from "./values.js";
import { TYPE_TOKENS } from "../../components/typeTokens.js";

export interface StepState {
    inputs?: Record<string, unknown>;
    protect?: boolean;
    retainOnDelete?: boolean;
}

export interface EngineStep {
    op: string;
    urn: string;
    type: string;
    old?: StepState;
    new?: StepState;
    diffs: string[];
    replaceReasons: string[];
    /** Path -> Pulumi diff kind (`add`, `update-replace`, ...). */
    detailedDiff?: Record<string, string>;
}

const ROOT_STACK_TYPE = TYPE_TOKENS.stack;

/** Pulumi's step operations folded into what a reviewer sees; undefined = unchanged. */
function reviewOp(op: string): ChangeOp | undefined {
    switch (op) {
        case "create":
        case "import":
            return "create";
        case "update":
            return "update";
        case "delete":
            return "delete";
        case "replace":
        case "create-replacement":
        case "delete-replaced":
        case "import-replacement":
            return "replace";
        default:
            return undefined; // same, read, refresh, discard, remove-pending-replace, ...
    }
}

const OP_PRIORITY: Record<ChangeOp, number> = { replace: 4, delete: 3, create: 2, update: 1 };

/** `urn:pulumi:stack::project::parent$type::name` -> type and name. */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4) return { type: "", name: urn };
    const qualifiedType = parts[2]!;
    return { type: qualifiedType.split("$").pop()!, name: parts.slice(3).join("::") };
}

/** Groups steps by resource (a replacement emits up to three steps for one URN) and builds its change. */
export function changesFromSteps(steps: EngineStep[]): ResourceChange[] {
    const byUrn = new Map<string, EngineStep[]>();
    for (const step of steps) byUrn.set(step.urn, [...(byUrn.get(step.urn) ?? []), step]);

    const changes: ResourceChange[] = [];
    for (const [urn, group] of byUrn) {
        let op: ChangeOp | undefined;
        for (const step of group) {
            const candidate = reviewOp(step.op);
            if (candidate && (!op || OP_PRIORITY[candidate] > OP_PRIORITY[op])) op = candidate;
        }
        if (!op) continue;
        const type = group.find((s) => s.type)?.type ?? parseUrn(urn).type;
        if (type === ROOT_STACK_TYPE) continue;
        const detail = group.find((s) => reviewOp(s.op) === op && (s.detailedDiff || s.diffs.length > 0)) ?? group.find((s) => reviewOp(s.op) === op)!;
        const oldState = group.find((s) => s.old)?.old;
        const newState = group.find((s) => s.new)?.new;
        changes.push(buildChange(op, type, parseUrn(urn).name, detail, oldState, newState));
    }
    return changes;
}

function buildChange(op: ChangeOp, type: string, name: string, step: EngineStep, oldState?: StepState, newState?: StepState): ResourceChange {
    const oldInputs = oldState?.inputs;
    const newInputs = newState?.inputs;
    const showProperties = op === "update" || op === "replace";
    const raw = showProperties ? rawDiffs(step, oldInputs, newInputs) : [];
    const properties = buildPropertyChanges(raw, oldInputs, newInputs);
    let replaceReasons: string[] = [];
    if (op === "replace") {
        const reasons = step.replaceReasons.length > 0 ? step.replaceReasons : raw.filter((d) => d.forcesReplacement).map((d) => d.path);
        replaceReasons = [...new Set(reasons.map(topLevelProperty))].sort();
    }
    const risk = dataLossRisk({ op, type, name, oldInputs, newInputs, ...(oldState?.retainOnDelete ? { retainOnDelete: true } : {}) });
    const notes: string[] = [];
    if ((op === "delete" || op === "replace") && oldState?.protect) notes.push("protected: Pulumi refuses to delete it until `protect` is removed");
    if ((op === "delete" || op === "replace") && oldState?.retainOnDelete && !risk) notes.push("retainOnDelete: Pulumi leaves the Docker object on the host when it deletes it");
    const change: ResourceChange = { op, type, name, replaceReasons, properties, notes };
    if (risk) change.dataLossRisk = risk;
    return change;
}

function rawDiffs(step: EngineStep, oldInputs: unknown, newInputs: unknown): RawDiff[] {
    const forcedByKey = (path: string) => step.replaceReasons.includes(topLevelProperty(path));
    if (step.detailedDiff && Object.keys(step.detailedDiff).length > 0) {
        return Object.entries(step.detailedDiff).map(([path, kind]) => ({
            path,
            kind: baseKind(kind),
            forcesReplacement: kind.endsWith("-replace") || forcedByKey(path),
        }));
    }
    const keys = step.diffs.length > 0 ? step.diffs : step.replaceReasons;
    return keys.map((path) => ({
        path,
        kind: lookupPath(oldInputs, path).kind === "absent" ? "add" : lookupPath(newInputs, path).kind === "absent" ? "delete" : "update",
        forcesReplacement: forcedByKey(path),
    }));
}

function baseKind(kind: string): RawDiff["kind"] {
    if (kind.startsWith("add")) return "add";
    if (kind.startsWith("delete")) return "delete";
    return "update";
}

/** Counts per operation from the engine's change summary, or from the steps when there is none. */
export function countChanges(summary: OpMap | Readonly<Record<string, number>> | undefined, steps: EngineStep[]): ChangeCounts {
    if (summary && Object.keys(summary).length > 0) {
        const get = (key: string) => (summary as Record<string, number | undefined>)[key] ?? 0;
        return { create: get("create") + get("import"), update: get("update"), replace: get("replace"), delete: get("delete"), same: get("same") };
    }
    const counts: ChangeCounts = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
    const seen = new Map<string, ChangeOp | "same">();
    for (const step of steps) {
        const op = reviewOp(step.op) ?? "same";
        const previous = seen.get(step.urn);
        if (!previous || previous === "same" || (op !== "same" && OP_PRIORITY[op] > OP_PRIORITY[previous])) seen.set(step.urn, op);
    }
    for (const op of seen.values()) counts[op]++;
    return counts;
}

export function asInputs(value: unknown): Record<string, unknown> | undefined {
    return isPlainObject(value) ? value : undefined;
}
