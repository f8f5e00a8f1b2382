/**
 * The one Markdown layout for fleet changes, whatever produced them (live preview or offline plan diff):
 * risks and failures first, a summary table, then one collapsible section per changed tenant.
 *
 * GitHub refuses comments over 65,536 characters. The summary, the failures and every data-loss risk are
 * always kept; per-tenant details are shortened, then left out, tenants with risks or replacements first in
 * line for space, and a notice says what was cut.
 */
import { clipText, code, codeBlock, escapeHtml, escapeInline, plural, redactCredentials } from "./markdown.js";
import type { ChangeCounts, ChangeOp, DisplayValue, PropertyChange, ResourceChange, TenantReport } from "./types.js";

/** Hidden marker by which a workflow finds its own comment to update it. */
export const COMMENT_MARKER = "<!-- supabase-fleet-preview -->";
/** GitHub's limit on a comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;
const DEFAULT_MAX_LENGTH = 65_000;
/** Room kept for the truncation notice. */
const NOTICE_RESERVE = 2_000;
const MAX_NAMES_IN_NOTICE = 10;

export interface RenderOptions {
    /** Heading of the comment. */
    title?: string;
    /** A sentence under the heading saying where the data comes from. */
    intro?: string;
    /** Upper bound on the comment's length (default 65,000, below GitHub's 65,536); Infinity for no limit. */
    maxLength?: number;
    /** Where the reader finds the untruncated output. */
    fullOutputHint?: string;
    /** Property lines shown per resource before "and N more" (default 25). */
    maxPropertiesPerResource?: number;
    /** Marker put first in the comment (default COMMENT_MARKER). */
    marker?: string;
}

type Detail = "full" | "compact";

export function renderComment(reports: TenantReport[], options: RenderOptions = {}): string {
    // A larger (or infinite) maxLength is for reading locally; GitHub would refuse such a comment.
    const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    const tenants = [...reports].sort((a, b) => a.ref.localeCompare(b.ref, "en"));

    // The head (risks, failures, table) is what must survive: shrink only the table when it is too big.
    let head = "";
    let tableMode: TableMode = "all";
    for (const mode of ["all", "changed", "totals"] as const) {
        tableMode = mode;
        head = renderHead(tenants, options, mode);
        if (head.length + NOTICE_RESERVE <= maxLength) break;
    }
    let headCut = false;
    if (head.length + NOTICE_RESERVE > maxLength) {
        // Only a fleet with thousands of risks gets here: keep whole lines up to the limit.
        head = cutAtLine(head, maxLength - NOTICE_RESERVE);
        headCut = true;
    }

    const budget = maxLength - head.length - NOTICE_RESERVE;
    const changed = tenants.filter((t) => t.status === "ok" && t.changes.length > 0);
    const chosen = new Map<string, { detail: Detail; text: string }>();
    let used = 0;
    for (const tenant of [...changed].sort(byReviewPriority)) {
        for (const detail of ["full", "compact"] as const) {
            const text = renderTenantSection(tenant, detail, options);
            if (used + text.length + 2 <= budget) {
                chosen.set(tenant.ref, { detail, text });
                used += text.length + 2;
                break;
            }
        }
    }

    const parts = [head];
    if (changed.length > 0) parts.push(`### Changes per ${tenants.some((t) => t.kind === "host") ? "stack" : "tenant"}`);
    for (const tenant of changed) {
        const section = chosen.get(tenant.ref);
        if (section) parts.push(section.text);
    }
    const unchanged = tenants.filter((t) => t.status === "ok" && t.changes.length === 0).map((t) => t.ref);
    if (unchanged.length > 0) {
        const list = `No changes in ${plural(unchanged.length, "tenant")}: ${unchanged.map((r) => code(r)).join(", ")}.`;
        parts.push(used + list.length + 2 <= budget ? list : `No changes in ${plural(unchanged.length, "tenant")}.`);
    }

    const shortened = changed.filter((t) => chosen.get(t.ref)?.detail === "compact").map((t) => t.ref);
    const omitted = changed.filter((t) => !chosen.has(t.ref)).map((t) => t.ref);
    if (shortened.length > 0 || omitted.length > 0 || tableMode !== "all" || headCut) {
        parts.push(truncationNotice({ shortened, omitted, tableMode, headCut, hint: options.fullOutputHint }));
    }
    return parts.join("\n\n") + "\n";
}

type TableMode = "all" | "changed" | "totals";

function renderHead(tenants: TenantReport[], options: RenderOptions, tableMode: TableMode): string {
    const ok = tenants.filter((t) => t.status === "ok");
    const failed = tenants.filter((t) => t.status === "failed");
    const risks = ok.flatMap((t) => sortChanges(t.changes).filter((c) => c.dataLossRisk).map((c) => ({ tenant: t, change: c })));
    const changedCount = ok.filter((t) => t.changes.length > 0).length;

    const hosts = tenants.filter((t) => t.kind === "host").length;
    const headline = [hosts > 0 ? `${plural(tenants.length - hosts, "tenant")} and ${plural(hosts, "host stack")}` : plural(tenants.length, "tenant"), `${changedCount} with changes`];
    if (risks.length > 0) headline.push(`⚠️ ${plural(risks.length, "data-loss risk")}`);
    if (failed.length > 0) headline.push(`❌ ${failed.length} failed`);

    const lines: string[] = [options.marker ?? COMMENT_MARKER, `## ${options.title ?? "Fleet preview"}`, ""];
    if (options.intro) lines.push(options.intro, "");
    lines.push(`**${headline.join(" · ")}**`, "");

    if (risks.length > 0) {
        lines.push(`### ⚠️ Data-loss risks (${risks.length})`, "");
        lines.push("Each of these replaces or deletes a data volume, or moves the database to another PostgreSQL major version. Check that the data is backed up or that the change is intended before merging.", "");
        for (const { tenant, change } of risks) lines.push(riskLine(tenant.ref, change));
        lines.push("");
    }
    if (failed.length > 0) {
        lines.push(`### ❌ Failed previews (${failed.length})`, "");
        lines.push("These tenants could not be previewed; the others are reported below.", "");
        for (const tenant of failed) {
            lines.push(`- **${escapeInline(tenant.ref)}**`, codeBlock(clipText(redactCredentials(tenant.error ?? "unknown error"), 1_000, 15), "  "));
        }
        lines.push("");
    }
    const moved = ok.filter((t) => t.previousRelease !== undefined);
    if (moved.length > 0) {
        lines.push(`### 🔁 Release changes (${moved.length})`, "");
        lines.push("Each of these tenants moves to another named release: every service's image and wiring change together (docs/releases.md).", "");
        for (const tenant of moved) lines.push(releaseChangeLine(tenant));
        lines.push("");
    }
    lines.push("### Summary", "");
    lines.push(...summaryTable(tenants, tableMode));
    const releases = releaseLine(tenants, tableMode);
    if (releases) lines.push("", releases);
    return lines.join("\n").trimEnd();
}

/** One line per release change; always kept, like the risks. */
export function releaseChangeLine(tenant: TenantReport): string {
    return `- 🔁 **${escapeInline(tenant.ref)}**: release ${code(tenant.previousRelease!)} → ${code(tenant.release!)}`;
}

/** Which tenant runs which release: names while the table lists every tenant, counts once it is cut. */
function releaseLine(tenants: TenantReport[], mode: TableMode): string | undefined {
    const byRelease = new Map<string, string[]>();
    for (const tenant of tenants) if (tenant.release) byRelease.set(tenant.release, [...(byRelease.get(tenant.release) ?? []), tenant.ref]);
    if (byRelease.size === 0) return undefined;
    const parts = [...byRelease.keys()].sort().map((release) => {
        const refs = byRelease.get(release)!;
        return `${code(release)}: ${mode === "all" ? refs.map((r) => code(r)).join(", ") : plural(refs.length, "tenant")}`;
    });
    return `**Releases** · ${parts.join(" · ")}`;
}

/** One line per risk; the exact text is part of the contract (tests look for it after truncation). */
export function riskLine(ref: string, change: ResourceChange): string {
    return `- ⚠️ **${escapeInline(ref)}**: ${change.op} ${code(change.name)} (${shortType(change.type)}): ${change.dataLossRisk}`;
}

function summaryTable(tenants: TenantReport[], mode: TableMode): string[] {
    const header = [`| ${tenants.some((t) => t.kind === "host") ? "Stack" : "Tenant"} | Creates | Updates | Replaces | Deletes | Unchanged | Status |`, "| --- | ---: | ---: | ---: | ---: | ---: | --- |"];
    const totals: ChangeCounts = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
    for (const t of tenants) for (const op of Object.keys(totals) as (keyof ChangeCounts)[]) totals[op] += t.counts?.[op] ?? 0;
    const rows = tenants
        .filter((t) => mode === "all" || (mode === "changed" && (t.status === "failed" || t.changes.length > 0 || hasCountedChanges(t))))
        .map((t) => {
            if (t.status === "failed") return `| ${code(t.ref)} | – | – | – | – | – | ❌ failed |`;
            const c = t.counts ?? { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
            return `| ${code(t.ref)} | ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${c.same} | ${tenantStatus(t)} |`;
        });
    const totalRow = `| **All ${tenants.length}** | ${totals.create} | ${totals.update} | ${totals.replace} | ${totals.delete} | ${totals.same} | |`;
    const lines = [...header, ...rows, totalRow];
    if (mode === "changed") lines.push("", "_Tenants without changes are left out of this table to save space._");
    if (mode === "totals") lines.push("", "_Per-tenant rows are left out of this table to save space; the risks and failures above are complete._");
    return lines;
}

function hasCountedChanges(t: TenantReport): boolean {
    const c = t.counts;
    return !!c && c.create + c.update + c.replace + c.delete > 0;
}

function tenantStatus(t: TenantReport): string {
    const risks = t.changes.filter((c) => c.dataLossRisk).length;
    if (risks > 0) return `⚠️ ${plural(risks, "data-loss risk")}`;
    if (t.changes.length > 0 || hasCountedChanges(t)) return "changes";
    return "no changes";
}

/** Risky tenants first, then those replacing or deleting, then the rest: who gets space when it is short. */
function byReviewPriority(a: TenantReport, b: TenantReport): number {
    const rank = (t: TenantReport) =>
        t.changes.some((c) => c.dataLossRisk) ? 0 : t.changes.some((c) => c.op === "replace" || c.op === "delete") ? 1 : 2;
    return rank(a) - rank(b) || a.ref.localeCompare(b.ref, "en");
}

const OP_ORDER: Record<ChangeOp, number> = { replace: 0, delete: 1, create: 2, update: 3 };
const OP_ICON: Record<ChangeOp, string> = { replace: "🔄", delete: "🗑️", create: "➕", update: "✏️" };

/** Risks first, then replacements and deletions, then creations and updates; by name within each. */
function sortChanges(changes: ResourceChange[]): ResourceChange[] {
    return [...changes].sort(
        (a, b) =>
            Number(!a.dataLossRisk) - Number(!b.dataLossRisk) ||
            OP_ORDER[a.op] - OP_ORDER[b.op] ||
            a.name.localeCompare(b.name, "en") ||
            a.type.localeCompare(b.type, "en"),
    );
}

function renderTenantSection(tenant: TenantReport, detail: Detail, options: RenderOptions): string {
    const changes = sortChanges(tenant.changes);
    const counts = (["replace", "delete", "create", "update"] as const)
        .map((op) => [op, changes.filter((c) => c.op === op).length] as const)
        .filter(([, n]) => n > 0)
        .map(([op, n]) => `${n} to ${op}`);
    const risks = changes.filter((c) => c.dataLossRisk).length;
    const summary = `<b>${escapeHtml(tenant.ref)}</b>: ${counts.join(", ")}${risks > 0 ? ` · ⚠️ ${plural(risks, "data-loss risk")}` : ""}`;

    const lines = ["<details>", `<summary>${summary}</summary>`, ""];
    if (tenant.release) lines.push(tenant.previousRelease ? `_Release ${code(tenant.previousRelease)} → ${code(tenant.release)}_` : `_Release ${code(tenant.release)}_`, "");
    for (const note of tenant.notes) lines.push(`_${note}_`, "");
    const destructive = changes.filter((c) => c.op === "replace" || c.op === "delete");
    const other = changes.filter((c) => c.op === "create" || c.op === "update");
    if (destructive.length > 0) {
        lines.push("**Replacements and deletions**", "");
        for (const change of destructive) lines.push(...resourceLines(change, detail, options));
        lines.push("");
    }
    if (other.length > 0) {
        lines.push("**Other changes**", "");
        for (const change of other) lines.push(...resourceLines(change, detail, options));
        lines.push("");
    }
    if (detail === "compact") lines.push("_Property details left out to keep this comment within GitHub's size limit._", "");
    lines.push("</details>");
    return lines.join("\n");
}

function resourceLines(change: ResourceChange, detail: Detail, options: RenderOptions): string[] {
    const icon = change.dataLossRisk ? "⚠️" : OP_ICON[change.op];
    const risk = change.dataLossRisk ? ` — **data-loss risk:** ${change.dataLossRisk}` : "";
    const lines = [`- ${icon} **${change.op}** ${code(change.name)} (${shortType(change.type)})${risk}`];
    if (detail === "compact") return lines;
    if (change.op === "replace" && change.replaceReasons.length > 0) {
        lines.push(`  - replaced because ${change.replaceReasons.map((r) => code(r)).join(", ")} changed`);
    }
    for (const note of change.notes) lines.push(`  - ${note}`);
    const max = options.maxPropertiesPerResource ?? 25;
    for (const property of change.properties.slice(0, max)) lines.push(`  - ${propertyLine(property)}`);
    if (change.properties.length > max) lines.push(`  - … and ${change.properties.length - max} more properties`);
    return lines;
}

function propertyLine(p: PropertyChange): string {
    const forced = p.forcesReplacement ? " _(forces replacement)_" : "";
    if (p.old.kind === "secret" || p.new.kind === "secret") {
        const what = p.kind === "add" ? "added" : p.kind === "delete" ? "removed" : "changed";
        return `${code(p.path)}: ${what} (secret value hidden)${forced}`;
    }
    if (p.kind === "add" || p.old.kind === "absent") return `${code(p.path)}: added ${show(p.new)}${forced}`;
    if (p.kind === "delete" || p.new.kind === "absent") return `${code(p.path)}: removed (was ${show(p.old)})${forced}`;
    return `${code(p.path)}: ${show(p.old)} → ${show(p.new)}${forced}`;
}

function show(value: DisplayValue): string {
    switch (value.kind) {
        case "value":
            return code(value.text);
        case "unknown":
            return "_(known after apply)_";
        case "absent":
            return "_(none)_";
        case "secret":
            return "_(secret)_";
    }
}

/** `docker:index/container:Container` -> `Container`: enough to tell resources apart in a tenant. */
function shortType(type: string): string {
    return type.split(":").pop() || type;
}

function truncationNotice(cut: { shortened: string[]; omitted: string[]; tableMode: TableMode; headCut: boolean; hint?: string }): string {
    const names = (refs: string[]) =>
        refs.slice(0, MAX_NAMES_IN_NOTICE).map((r) => code(r)).join(", ") + (refs.length > MAX_NAMES_IN_NOTICE ? ` and ${refs.length - MAX_NAMES_IN_NOTICE} more` : "");
    const sentences = [`✂️ **Truncated:** GitHub limits a comment to ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")} characters, so this one was cut.`];
    if (cut.omitted.length > 0) sentences.push(`Details of ${plural(cut.omitted.length, "tenant")} were left out: ${names(cut.omitted)}.`);
    if (cut.shortened.length > 0) sentences.push(`Details of ${plural(cut.shortened.length, "tenant")} were shortened to resource names: ${names(cut.shortened)}.`);
    if (cut.tableMode === "changed") sentences.push("The summary table lists only tenants with changes.");
    if (cut.tableMode === "totals") sentences.push("The summary table shows only totals.");
    sentences.push(cut.headCut ? "Even the list of risks had to be cut: read the full output." : "The summary, the failures and every data-loss risk above are complete.");
    sentences.push(cut.hint ?? "The full preview is in the workflow log.");
    return `---\n\n${sentences.join(" ")}`;
}

function cutAtLine(text: string, maxChars: number): string {
    const slice = text.slice(0, maxChars);
    return slice.slice(0, Math.max(0, slice.lastIndexOf("\n")));
}
