/** A tenant's preview as text: the change counts, and with --diff each changing resource. */
import type { OpType, StackPreview } from "../engine.js";

const SYMBOL: Partial<Record<OpType, string>> = {
    create: "+",
    update: "~",
    delete: "-",
    replace: "+-",
    "create-replacement": "++",
    "delete-replaced": "--",
    read: ">",
    refresh: "~",
    import: "=",
};

export function renderPreview(preview: StackPreview, withDiff: boolean): string {
    const counts = Object.entries(preview.changeSummary)
        .filter(([op, count]) => op !== "same" && (count ?? 0) > 0)
        .map(([op, count]) => `${count} to ${op}`);
    const unchanged = preview.changeSummary.same ?? 0;
    const head = `${preview.ref}: ${counts.length ? counts.join(", ") : "no changes"}${unchanged ? ` (${unchanged} unchanged)` : ""}`;
    if (!withDiff || preview.steps.length === 0) return head;
    const lines = preview.steps.map((step) => {
        const name = step.urn.split("::").at(-1) ?? step.urn;
        const properties = step.diffs?.length ? `: ${step.diffs.join(", ")}` : "";
        const replace = step.replaceReasons?.length ? ` (replaced because of ${step.replaceReasons.join(", ")})` : "";
        return `  ${(SYMBOL[step.op] ?? step.op).padEnd(2)} ${step.type} ${name}${properties}${replace}`;
    });
    return [head, ...lines].join("\n");
}
