import { describe, expect, it } from "vitest";
import { exitCodeFor, runFleet } from "../../stacks/fleet/runner.js";
import { renderSummary, summaryJson } from "../../stacks/fleet/summary.js";
import { engineWithStacks } from "./helpers.js";

const refs = (n: number) => Array.from({ length: n }, (_, i) => `tenant-${String(i).padStart(2, "0")}`);

describe("parallel fleet runs", () => {
    it("never runs more tenants at once than --parallel allows, and runs them all", async () => {
        const tenants = refs(10);
        const engine = await engineWithStacks(tenants, { stepDelayMs: 2, resourceCount: 5 });
        const report = await runFleet(tenants, (ref, { signal }) => engine.up(ref, { signal }), { parallel: 3 });
        expect(engine.maxConcurrent).toBe(3);
        expect(report.results.map((r) => r.outcome)).toEqual(Array(10).fill("succeeded"));
        expect(exitCodeFor(report)).toBe(0);
    });

    it("isolates a tenant's failure: the others finish and the run exits 1", async () => {
        const engine = await engineWithStacks(["alpha", "bravo", "charlie"], { stepDelayMs: 1, resourceCount: 3 });
        engine.failNext("bravo", "update", "error: container bravo-db: port is already allocated");
        const report = await runFleet(["alpha", "bravo", "charlie"], (ref, { signal }) => engine.up(ref, { signal }), { parallel: 2 });
        expect(report.results.map((r) => [r.ref, r.outcome, r.message ?? null])).toEqual([
            ["alpha", "succeeded", null],
            ["bravo", "failed", "error: container bravo-db: port is already allocated"],
            ["charlie", "succeeded", null],
        ]);
        expect((await engine.lastOperation("charlie"))?.result).toBe("succeeded");
        expect((await engine.lastOperation("bravo"))?.result).toBe("failed");
        expect(engine.isLocked("bravo")).toBe(false);
        expect(exitCodeFor(report)).toBe(1);
    });

    it("reports a stack locked by another update as LOCKED, not as a failure of this run's doing", async () => {
        const engine = await engineWithStacks(["alpha", "bravo"]);
        engine.lockByAnotherProcess("bravo", "held by ci@runner-7 pid 42");
        const report = await runFleet(["alpha", "bravo"], (ref, { signal }) => engine.up(ref, { signal }), { parallel: 4 });
        expect(report.results[1]).toMatchObject({ ref: "bravo", outcome: "locked" });
        expect(report.results[1]!.message).toBe(
            'stack "bravo" is locked by another update (held by ci@runner-7 pid 42); wait for it to finish, or if no update runs any more, clear the lock with: pulumi cancel --stack bravo',
        );
        expect(report.results[0]!.outcome).toBe("succeeded");
        expect(exitCodeFor(report)).toBe(1);
    });

    it("cancels in-flight operations on abort, starts nothing new and leaves no stack locked", async () => {
        const tenants = refs(6);
        const engine = await engineWithStacks(tenants, { stepDelayMs: 20, resourceCount: 50 });
        const controller = new AbortController();
        let progressSeen = 0;
        const report = await runFleet(
            tenants,
            (ref, { signal }) =>
                engine.up(ref, {
                    signal,
                    onProgress: () => {
                        if (++progressSeen === 2) controller.abort();
                    },
                }),
            { parallel: 2, signal: controller.signal, cancelInFlight: (ref) => engine.cancel(ref) },
        );
        expect(report.interrupted).toBe(true);
        expect(report.results.map((r) => r.outcome)).toEqual(Array(6).fill("cancelled"));
        expect(report.results.slice(0, 2).map((r) => r.message)).toEqual([
            'cancelled; stack "tenant-00" was left unlocked',
            'cancelled; stack "tenant-01" was left unlocked',
        ]);
        expect(report.results.slice(2).map((r) => r.message)).toEqual(Array(4).fill("not started: the run was cancelled"));
        expect(tenants.filter((ref) => engine.isLocked(ref))).toEqual([]);
        expect(engine.calls.filter((call) => call.startsWith("update "))).toEqual(["update tenant-00", "update tenant-01"]);
        expect(engine.calls.filter((call) => call.startsWith("cancel "))).toEqual(["cancel tenant-00", "cancel tenant-01"]);
        expect((await engine.lastOperation("tenant-00"))?.result).toBe("failed");
        expect(await engine.lastOperation("tenant-05")).toBeUndefined();
        expect(exitCodeFor(report)).toBe(130);
    });

    it("renders a summary table with a count line, and the same facts as JSON", () => {
        const report = {
            interrupted: false,
            results: [
                { ref: "alpha", outcome: "succeeded" as const, durationMs: 61_000, value: { changes: { create: 3 } } },
                { ref: "bravo", outcome: "failed" as const, durationMs: 2_400, message: "error: boom\nmore detail" },
                { ref: "charlie-long", outcome: "locked" as const, durationMs: 0, message: 'stack "charlie-long" is locked' },
            ],
        };
        expect(renderSummary("up", report, () => "3 create")).toBe(
            [
                "TENANT        RESULT  TIME   DETAIL",
                "alpha         ok      1m01s  3 create",
                "bravo         FAILED  2s     error: boom",
                'charlie-long  LOCKED  0s     stack "charlie-long" is locked',
                "",
                "up: 1 succeeded, 1 failed, 1 locked",
            ].join("\n"),
        );
        expect(summaryJson("up", report)).toEqual({
            command: "up",
            interrupted: false,
            counts: { succeeded: 1, failed: 1, locked: 1, cancelled: 0 },
            tenants: [
                { ref: "alpha", outcome: "succeeded", durationMs: 61_000, result: { changes: { create: 3 } } },
                { ref: "bravo", outcome: "failed", durationMs: 2_400, message: "error: boom\nmore detail" },
                { ref: "charlie-long", outcome: "locked", durationMs: 0, message: 'stack "charlie-long" is locked' },
            ],
        });
    });
});
