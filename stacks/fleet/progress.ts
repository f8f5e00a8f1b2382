/**
 * Live progress of a fleet run, per tenant: resources done of total, elapsed time and the phase. On a terminal
 * the lines of running tenants are redrawn in place; in CI (no TTY) a line is printed per start,
 * finish and at most every few seconds per tenant; with --json every line is a JSON object.
 * Progress goes to stderr so stdout carries only the result (table or JSON).
 */
import type { OperationProgress } from "./engine.js";
import type { TenantRunResult } from "./runner.js";
import { firstLine, formatDuration } from "./table.js";

export interface ProgressReporter {
    start(ref: string): void;
    progress(ref: string, progress: OperationProgress): void;
    finish(result: TenantRunResult): void;
    /** A line that is not about one tenant (e.g. "cancelling ..."). */
    note(message: string): void;
    close(): void;
}

export interface ProgressStream {
    write(text: string): unknown;
    isTTY?: boolean;
}

export interface ProgressOptions {
    readonly stream: ProgressStream;
    readonly operation: string;
    readonly json: boolean;
    /** Least time between two plain-text lines for one tenant. */
    readonly lineIntervalMs?: number;
    readonly now?: () => number;
}

interface Running {
    started: number;
    progress?: OperationProgress;
    lastLine: number;
}

export function createProgressReporter(options: ProgressOptions): ProgressReporter {
    const { stream, operation, json } = options;
    const now = options.now ?? Date.now;
    const lineInterval = options.lineIntervalMs ?? 5000;
    const live = !json && stream.isTTY === true;
    const running = new Map<string, Running>();
    let drawnLines = 0;
    let timer: NodeJS.Timeout | undefined;

    const describe = (ref: string, state: Running) => {
        const done = state.progress?.done ?? 0;
        const total = state.progress?.total;
        const resources = total !== undefined ? `${Math.min(done, total)}/${total} resources` : `${done} resources`;
        const phase = state.progress?.phase ? ` (${state.progress.phase})` : "";
        return `${ref}: ${operation} ${resources}, ${formatDuration(now() - state.started)}${phase}`;
    };
    const emitJson = (event: Record<string, unknown>) => stream.write(`${JSON.stringify({ ...event, operation })}\n`);

    const redraw = () => {
        const lines = [...running.entries()].map(([ref, state]) => `  ${describe(ref, state)}`);
        const clear = drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[J` : "";
        stream.write(clear + lines.map((line) => `${line}\n`).join(""));
        drawnLines = lines.length;
    };
    /** Prints a permanent line above the live block. */
    const print = (line: string) => {
        if (live) {
            stream.write(drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[J` : "");
            drawnLines = 0;
            stream.write(`${line}\n`);
            redraw();
        } else {
            stream.write(`${line}\n`);
        }
    };

    if (live) {
        timer = setInterval(redraw, 500);
        timer.unref();
    }

    return {
        start(ref) {
            running.set(ref, { started: now(), lastLine: now() });
            if (json) emitJson({ event: "start", ref });
            else print(`${ref}: ${operation} started`);
        },
        progress(ref, progress) {
            const state = running.get(ref);
            if (!state) return;
            state.progress = progress;
            if (live) return; // the timer redraws
            if (now() - state.lastLine < lineInterval) return;
            state.lastLine = now();
            if (json) emitJson({ event: "progress", ref, done: progress.done, total: progress.total ?? null, elapsedMs: now() - state.started, ...(progress.phase ? { phase: progress.phase } : {}) });
            else print(describe(ref, state));
        },
        finish(result) {
            running.delete(result.ref);
            if (json) {
                emitJson({ event: "finish", ref: result.ref, outcome: result.outcome, durationMs: result.durationMs, ...(result.message ? { message: result.message } : {}) });
                return;
            }
            const detail = result.outcome === "succeeded" ? "" : `: ${firstLine(result.message)}`;
            print(`${result.ref}: ${operation} ${result.outcome} after ${formatDuration(result.durationMs)}${detail}`);
        },
        note(message) {
            if (json) emitJson({ event: "note", message });
            else print(message);
        },
        close() {
            if (timer) clearInterval(timer);
            if (live && drawnLines > 0) stream.write(`\x1b[${drawnLines}A\x1b[J`);
            drawnLines = 0;
        },
    };
}
