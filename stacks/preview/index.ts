/**
 * Pull-request comments for the whole fleet: one renderer, fed either by live previews (engine events or
 * `pulumi preview --json`) or by the offline plan snapshots of two commits.
 */
import { tenantReportFromPreview, type TenantPreview } from "./fromEngine.js";
import { tenantReportFromPlans, type PlanDocument } from "./fromPlan.js";
import { renderComment, type RenderOptions } from "./render.js";

export { COMMENT_MARKER, GITHUB_COMMENT_LIMIT, renderComment, riskLine, type RenderOptions } from "./render.js";
export { tenantReportFromPreview, stepsFromEngineEvents, stepsFromPreviewJson } from "./fromEngine.js";
export type { TenantPreview, PreviewJsonDocument, PreviewJsonStep, PreviewJsonState, PreviewJsonDiagnostic } from "./fromEngine.js";
export { tenantReportFromPlans, type PlanDocument, type PlanResource } from "./fromPlan.js";
export { loadPlanFolder, PlanFolderError } from "./planFolder.js";
export { DATA_VOLUME_SUFFIXES, dataLossRisk, isDataVolumeName } from "./dataLoss.js";
export type { ChangeCounts, ChangeOp, DisplayValue, PropertyChange, ResourceChange, TenantReport } from "./types.js";

/** The Markdown comment for a fleet preview: every tenant, risks first, within GitHub's size limit. */
export function renderFleetPreviewComment(tenants: TenantPreview[], options: RenderOptions = {}): string {
    return renderComment(tenants.map(tenantReportFromPreview), {
        title: "Fleet preview",
        intro: "`pulumi preview` of every tenant stack against its current state.",
        fullOutputHint: "Run `npm run fleet -- preview --all` for the full output, or read the workflow log.",
        ...options,
    });
}

/**
 * The same comment made offline from plan snapshots of two commits (stack name -> plan). Tenants present on
 * one side only are reported as added or removed.
 */
export function renderPlanDiffComment(base: Map<string, PlanDocument>, head: Map<string, PlanDocument>, options: RenderOptions = {}): string {
    const stacks = [...new Set([...base.keys(), ...head.keys()])].sort();
    const reports = stacks.map((stack) => tenantReportFromPlans(stack, base.get(stack), head.get(stack)));
    return renderComment(reports, {
        title: "Fleet plan diff (offline)",
        intro:
            "Desired state of every tenant (and of every host stack, under `hosts/`), head commit compared with base commit, from the offline plan snapshots; no credentials used. " +
            "It cannot see drift on the Docker hosts or changes to secret values, and it infers replacements from the Docker provider's rules.",
        fullOutputHint: "Run `npm run plan:diff -- <base-dir> <head-dir>` for the full output.",
        ...options,
    });
}
