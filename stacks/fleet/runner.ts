/**
 * Runs one task per tenant with bounded parallelism. A tenant's failure is recorded and the others go
 * on; aborting the run stops starting new tasks, cancels the ones in flight and waits for them, so no
 * stack is left locked by this process.
 */
import { OperationCancelledError, StackLockedError } from "./engine.js";

export type RunOutcome = "succeeded" | "failed" | "locked" | "cancelled";

export interface TenantRunResult<T = unknown> {
    readonly ref: string;
    readonly outcome: RunOutcome;
    readonly durationMs: number;
    /** Error message (failed, locked, cancelled) or a one-line note (succeeded). */
    readonly message?: string;
    readonly value?: T;
}

export interface FleetRunReport<T = unknown> {
    readonly results: readonly TenantRunResult<T>[];
    /** The run was aborted (Ctrl-C) before every task finished. */
    readonly interrupted: boolean;
}

export interface TaskContext {
    /** Aborted when the run is cancelled; pass it to every engine call. */
    readonly signal: AbortSignal;
}

export interface RunFleetOptions {
    /** Most tasks at once. */
    readonly parallel: number;
    /** Aborting it cancels the run. */
    readonly signal?: AbortSignal;
    /** Called once per in-flight tenant when the run is aborted (the engine's cancel). */
    readonly cancelInFlight?: (ref: string) => Promise<void>;
    readonly onStart?: (ref: string) => void;
    readonly onFinish?: (result: TenantRunResult) => void;
}

export const DEFAULT_PARALLEL = 4;

export async function runFleet<T>(
    refs: readonly string[],
    task: (ref: string, context: TaskContext) => Promise<T>,
    options: RunFleetOptions,
): Promise<FleetRunReport<T>> {
    if (!Number.isInteger(options.parallel) || options.parallel < 1) throw new RangeError("parallel must be a whole number of at least 1");
    const results = new Map<string, TenantRunResult<T>>();
    const inFlight = new Map<string, AbortController>();
    const cancellations: Promise<void>[] = [];
    const outer = options.signal;

    const onAbort = () => {
        for (const [ref, controller] of inFlight) {
            controller.abort();
            if (options.cancelInFlight) cancellations.push(options.cancelInFlight(ref).catch(() => undefined));
        }
    };
    outer?.addEventListener("abort", onAbort, { once: true });

    let next = 0;
    const worker = async () => {
        while (next < refs.length && !outer?.aborted) {
            const ref = refs[next++]!;
            const controller = new AbortController();
            inFlight.set(ref, controller);
            options.onStart?.(ref);
            const started = Date.now();
            let result: TenantRunResult<T>;
            try {
                const value = await task(ref, { signal: controller.signal });
                result = { ref, outcome: "succeeded", durationMs: Date.now() - started, value };
            } catch (error) {
                result = { ref, ...classify(error, controller.signal.aborted), durationMs: Date.now() - started };
            } finally {
                inFlight.delete(ref);
            }
            results.set(ref, result);
            options.onFinish?.(result);
        }
    };

    try {
        await Promise.all(Array.from({ length: Math.min(options.parallel, refs.length) }, worker));
        await Promise.all(cancellations);
    } finally {
        outer?.removeEventListener("abort", onAbort);
    }

    const ordered = refs.map(
        (ref) => results.get(ref) ?? { ref, outcome: "cancelled" as const, durationMs: 0, message: "not started: the run was cancelled" },
    );
    return { results: ordered, interrupted: outer?.aborted === true };
}

function classify(error: unknown, aborted: boolean): { outcome: RunOutcome; message: string } {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof StackLockedError) return { outcome: "locked", message };
    if (error instanceof OperationCancelledError || aborted) return { outcome: "cancelled", message };
    return { outcome: "failed", message };
}

/** 0 when every tenant succeeded, 130 after Ctrl-C, 1 when any tenant failed, was locked or cancelled. */
export function exitCodeFor(report: FleetRunReport): number {
    if (report.interrupted) return 130;
    return report.results.every((r) => r.outcome === "succeeded") ? 0 : 1;
}
