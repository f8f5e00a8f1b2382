/**
 * The fleet's --json output is a contract (docs/cli.md): the summary document and the progress lines
 * keep their keys, and the documentation shows each of them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createProgressReporter } from "../../stacks/fleet/progress.js";
import { summaryJson } from "../../stacks/fleet/summary.js";
import { REPO } from "./spawn.js";

const doc = readFileSync(join(REPO, "docs/cli.md"), "utf8");

describe("fleet --json", () => {
    it("summary: command, interrupted, counts and tenants with their documented keys", () => {
        const summary = summaryJson("up", {
            interrupted: false,
            results: [
                { ref: "acme", outcome: "succeeded", durationMs: 41200, value: { changes: { create: 48 } } },
                { ref: "beta", outcome: "failed", durationMs: 900, message: "boom" },
            ],
        }) as Record<string, unknown>;
        expect(Object.keys(summary)).toEqual(["command", "interrupted", "counts", "tenants"]);
        expect(summary.counts).toEqual({ succeeded: 1, failed: 1, locked: 0, cancelled: 0 });
        expect(summary.tenants).toEqual([
            { ref: "acme", outcome: "succeeded", durationMs: 41200, result: { changes: { create: 48 } } },
            { ref: "beta", outcome: "failed", durationMs: 900, message: "boom" },
        ]);
        for (const key of ["command", "interrupted", "counts", "tenants", "ref", "outcome", "durationMs", "message", "result"]) expect(doc).toContain(`"${key}"`);
    });

    it("progress: one JSON object per line with the documented events and keys", () => {
        const lines: string[] = [];
        let clock = 0;
        const reporter = createProgressReporter({ stream: { write: (text: string) => lines.push(text) }, operation: "up", json: true, lineIntervalMs: 0, now: () => clock });
        reporter.start("acme");
        clock = 8100;
        reporter.progress("acme", { done: 12, total: 48 });
        reporter.progress("acme", { done: 13, total: 48, phase: "create acme-realtime" });
        reporter.finish({ ref: "acme", outcome: "succeeded", durationMs: 41200 });
        reporter.note("cancelling");
        reporter.close();
        const events = lines.join("").trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(events).toEqual([
            { event: "start", ref: "acme", operation: "up" },
            { event: "progress", ref: "acme", done: 12, total: 48, elapsedMs: 8100, operation: "up" },
            { event: "progress", ref: "acme", done: 13, total: 48, elapsedMs: 8100, phase: "create acme-realtime", operation: "up" },
            { event: "finish", ref: "acme", outcome: "succeeded", durationMs: 41200, operation: "up" },
            { event: "note", message: "cancelling", operation: "up" },
        ]);
        for (const event of ["start", "progress", "finish", "note"]) expect(doc).toContain(`"event":"${event}"`);
        expect(doc).toContain(`"phase"`);
    });
});
