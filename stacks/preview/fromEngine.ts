/**
 * Adapters from Pulumi's live preview output to the renderer's model: engine events (Automation API
 * `onEvent`, `pulumi preview --json --event-log`) and the `pulumi preview --json` document.
 */
import type { EngineEvent, OpMap, StepEventStateMetadata } from "@pulumi/pulumi/automation/index.js";
import { asInputs, changesFromSteps, countChanges, parseUrn, type EngineStep, type StepState } from "./engineSteps.js";
import type { TenantReport } from "./types.js";

/** A resource's state in `pulumi preview --json` (Pulumi's apitype.ResourceV3, the fields read here). */
export interface PreviewJsonState {
    urn: string;
    type: string;
    custom?: boolean;
    id?: string;
    parent?: string;
    protect?: boolean;
    retainOnDelete?: boolean;
    provider?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

export interface PreviewJsonStep {
    op: string;
    urn: string;
    provider?: string;
    oldState?: PreviewJsonState;
    newState?: PreviewJsonState;
    diffReasons?: string[];
    replaceReasons?: string[];
    /** Note: this document names the diff kind `kind`; engine events name it `diffKind`. */
    detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }> | null;
}

export interface PreviewJsonDiagnostic {
    urn?: string;
    prefix?: string;
    message?: string;
    severity?: string;
}

/** The document `pulumi preview --json` prints (Pulumi's display.PreviewDigest). */
export interface PreviewJsonDocument {
    config?: Record<string, string>;
    steps?: PreviewJsonStep[];
    diagnostics?: PreviewJsonDiagnostic[];
    duration?: number;
    changeSummary?: OpMap;
    maybeCorrupt?: boolean;
}

/** One tenant's preview as the fleet hands it over. */
export interface TenantPreview {
    ref: string;
    status: "ok" | "failed";
    error?: string;
    /** Engine events as the Automation API's `onEvent` gives them. */
    events?: readonly EngineEvent[];
    /** Alternatively, the `pulumi preview --json` document. */
    previewJson?: PreviewJsonDocument;
    /** The change summary (`PreviewResult.changeSummary`); wins over the one found in events. */
    summary?: OpMap | Readonly<Record<string, number>>;
    /** The release the stack's config names. */
    release?: string;
}

export function stepsFromEngineEvents(events: readonly EngineEvent[]): EngineStep[] {
    const ordered = [...events].sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
    const steps: EngineStep[] = [];
    for (const event of ordered) {
        const metadata = event.resourcePreEvent?.metadata;
        if (!metadata) continue;
        const step: EngineStep = {
            op: metadata.op,
            urn: metadata.urn,
            type: metadata.type || parseUrn(metadata.urn).type,
            diffs: metadata.diffs ?? [],
            replaceReasons: metadata.keys ?? [],
        };
        if (metadata.old) step.old = stepState(metadata.old);
        if (metadata.new) step.new = stepState(metadata.new);
        if (metadata.detailedDiff) {
            step.detailedDiff = Object.fromEntries(Object.entries(metadata.detailedDiff).map(([path, diff]) => [path, String(diff.diffKind)]));
        }
        steps.push(step);
    }
    return steps;
}

/** The parts of a resource's state the renderer reads; engine events and preview JSON carry them alike. */
function stepState(state: StepEventStateMetadata | PreviewJsonState): StepState {
    const result: StepState = {};
    const inputs = asInputs(state.inputs);
    if (inputs) result.inputs = inputs;
    if (state.protect) result.protect = true;
    if (state.retainOnDelete) result.retainOnDelete = true;
    return result;
}

export function stepsFromPreviewJson(document: PreviewJsonDocument): EngineStep[] {
    return (document.steps ?? []).map((s) => {
        const step: EngineStep = {
            op: s.op,
            urn: s.urn,
            type: s.newState?.type ?? s.oldState?.type ?? parseUrn(s.urn).type,
            diffs: s.diffReasons ?? [],
            replaceReasons: s.replaceReasons ?? [],
        };
        if (s.oldState) step.old = stepState(s.oldState);
        if (s.newState) step.new = stepState(s.newState);
        if (s.detailedDiff) step.detailedDiff = Object.fromEntries(Object.entries(s.detailedDiff).map(([path, diff]) => [path, diff.kind]));
        return step;
    });
}



/** Builds one tenant's report from whichever preview output the fleet handed over. */
export function tenantReportFromPreview(tenant: TenantPreview): TenantReport {
    const fromEvents = tenant.events !== undefined;
    const steps = fromEvents ? stepsFromEngineEvents(tenant.events!) : tenant.previewJson ? stepsFromPreviewJson(tenant.previewJson) : [];
    const errors = fromEvents ? eventErrors(tenant.events!) : (tenant.previewJson?.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => d.message ?? "");

    if (tenant.status === "failed") {
        const error = tenant.error?.trim() || errors.filter(Boolean).join("\n") || "preview failed (no error message was reported)";
        return { ref: tenant.ref, status: "failed", error, changes: [], notes: [] };
    }
    const summary = tenant.summary ?? (fromEvents ? lastSummary(tenant.events!) : tenant.previewJson?.changeSummary);
    return { ref: tenant.ref, status: "ok", counts: countChanges(summary, steps), changes: changesFromSteps(steps), notes: [], ...(tenant.release ? { release: tenant.release } : {}) };
}

function eventErrors(events: readonly EngineEvent[]): string[] {
    return events
        .map((e) => e.diagnosticEvent)
        .filter((d) => d !== undefined && d.severity === "error" && !d.ephemeral)
        .map((d) => `${d!.prefix ?? ""}${d!.message}`.replace(/\x1b\[[0-9;]*m|<\{%[^%]*%\}>/g, "").trim());
}

function lastSummary(events: readonly EngineEvent[]): OpMap | undefined {
    const summaries = events.filter((e) => e.summaryEvent).sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
    return summaries.at(-1)?.summaryEvent?.resourceChanges;
}
