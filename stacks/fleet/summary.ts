/** The end-of-run summary: a table per tenant and a count line, or a JSON document for CI. */
import type { FleetRunReport, RunOutcome } from "./runner.js";
import { firstLine, formatDuration, renderTable } from "./table.js";

const OUTCOME_LABEL: Record<RunOutcome, string> = {
    succeeded: "ok",
    failed: "FAILED",
    locked: "LOCKED",
    cancelled: "cancelled",
};

export function renderSummary(command: string, report: FleetRunReport, note?: (value: unknown) => string): string {
    const rows = report.results.map((result) => [
        result.ref,
        OUTCOME_LABEL[result.outcome],
        formatDuration(result.durationMs),
        result.outcome === "succeeded" ? (note && result.value !== undefined ? note(result.value) : "") : firstLine(result.message),
    ]);
    const counts = countOutcomes(report);
    const totals = (Object.keys(OUTCOME_LABEL) as RunOutcome[])
        .filter((outcome) => counts[outcome] > 0)
        .map((outcome) => `${counts[outcome]} ${outcome}`)
        .join(", ");
    const interrupted = report.interrupted ? " (interrupted)" : "";
    return `${renderTable(["TENANT", "RESULT", "TIME", "DETAIL"], rows)}\n\n${command}: ${totals || "nothing to do"}${interrupted}`;
}

export function countOutcomes(report: FleetRunReport): Record<RunOutcome, number> {
    const counts: Record<RunOutcome, number> = { succeeded: 0, failed: 0, locked: 0, cancelled: 0 };
    for (const result of report.results) counts[result.outcome] += 1;
    return counts;
}

export function summaryJson(command: string, report: FleetRunReport): object {
    return {
        command,
        interrupted: report.interrupted,
        counts: countOutcomes(report),
        tenants: report.results.map((result) => ({
            ref: result.ref,
            outcome: result.outcome,
            durationMs: result.durationMs,
            ...(result.message !== undefined ? { message: result.message } : {}),
            ...(result.value !== undefined ? { result: result.value } : {}),
        })),
    };
}
