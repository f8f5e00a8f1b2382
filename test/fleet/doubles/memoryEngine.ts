/**
 * An in-memory StackEngine: the test double of the Automation API (it deploys nothing). It keeps the behaviour the orchestration depends on: locks per
 * stack (its own runs and simulated foreign ones), cancellation through the AbortSignal, progress,
 * history, config with secret flags, and injectable failures and delays.
 */
import { EDGE_GUARD_SUFFIX } from "../../../components/hostServices/catalog.js";
import {
    OperationCancelledError,
    OperationFailedError,
    StackExistsError,
    StackLockedError,
    StackNotFoundError,
    type EngineEvent,
    type LastOperation,
    type OperationKind,
    type OperationOptions,
    type OperationOutcome,
    type OpMap,
    type PreviewOptions,
    type PreviewStep,
    type SettingValue,
    type StackEngine,
    type StackOutput,
    type StackPreview,
    type StackState,
    type StackSummary,
    type StateResource,
} from "../../../stacks/fleet/engine.js";
import { encodeSettingValue } from "../../../stacks/fleet/stackConfig.js";

interface ConfigEntry {
    value: string;
    secret: boolean;
}

interface MemoryStack {
    config: Map<string, ConfigEntry>;
    history: LastOperation[];
    /** Resources in state; 0 until the first update. */
    resourceCount: number;
    /** Config as of the last successful update: a preview diffs against it. */
    deployedConfig?: Record<string, string>;
    outputs: Record<string, StackOutput>;
    foreignLock?: string;
    running?: { controller: AbortController; settled: Promise<unknown> };
}

export interface MemoryEngineOptions {
    /** Resources a deployed tenant has (each reported as one progress step). Default 20. */
    readonly resourceCount?: number;
    /** Time per resource step, in ms. Default 0 (a macrotask per step, so runs still interleave). */
    readonly stepDelayMs?: number;
    /** Called after a successful update or destroy: lets a memory Docker host mirror the stack. */
    readonly onApplied?: (ref: string, kind: OperationKind, config: Record<string, string>) => void;
}

export interface MemoryEngineSnapshot {
    stacks: Record<string, { config: Record<string, ConfigEntry>; history: Array<{ kind: OperationKind; result: LastOperation["result"]; startTime: string; endTime?: string }>; resourceCount: number; deployedConfig?: Record<string, string> }>;
}

type FailureRule = { ref: string; kind: OperationKind | "createStack" | "setConfig" | "exportState" | "importState"; message: string; times: number };

const SECRET_MASK = "[secret]";

export class MemoryEngine implements StackEngine {
    readonly backendDescription = "memory:// (in-process, nothing is deployed)";
    private readonly stacks = new Map<string, MemoryStack>();
    private readonly failures: FailureRule[] = [];
    private readonly resourceCount: number;
    private readonly stepDelayMs: number;
    private running = 0;
    /** Highest number of operations that ran at the same time: tests read it to check the bound. */
    maxConcurrent = 0;
    /** Every call, in order, as `<method> <ref>`: tests assert on it. */
    readonly calls: string[] = [];

    constructor(private readonly options: MemoryEngineOptions = {}) {
        this.resourceCount = options.resourceCount ?? 20;
        this.stepDelayMs = options.stepDelayMs ?? 0;
    }

    // ---- test controls ----

    /** The next `times` operations of `kind` on `ref` fail with `message`. */
    failNext(ref: string, kind: FailureRule["kind"], message: string, times = 1): void {
        this.failures.push({ ref, kind, message, times });
    }

    /** Simulates another process holding the stack's lock (a concurrent or crashed update). */
    lockByAnotherProcess(ref: string, holder = "another process"): void {
        this.stack(ref).foreignLock = holder;
    }

    isLocked(ref: string): boolean {
        const stack = this.stacks.get(ref);
        return stack !== undefined && (stack.foreignLock !== undefined || stack.running !== undefined);
    }

    has(ref: string): boolean {
        return this.stacks.has(ref);
    }

    /** Raw config entries with their secret flag, keyed by bare setting key. */
    rawConfig(ref: string): Record<string, ConfigEntry> {
        return Object.fromEntries([...this.stack(ref).config].map(([key, entry]) => [key, { ...entry }]));
    }

    snapshot(): MemoryEngineSnapshot {
        const stacks: MemoryEngineSnapshot["stacks"] = {};
        for (const [ref, stack] of this.stacks) {
            stacks[ref] = {
                config: this.rawConfig(ref),
                history: stack.history.map((op) => ({
                    kind: op.kind,
                    result: op.result === "in-progress" ? "failed" : op.result,
                    startTime: op.startTime.toISOString(),
                    ...(op.endTime ? { endTime: op.endTime.toISOString() } : {}),
                })),
                resourceCount: stack.resourceCount,
                ...(stack.deployedConfig ? { deployedConfig: stack.deployedConfig } : {}),
            };
        }
        return { stacks };
    }

    static fromSnapshot(snapshot: MemoryEngineSnapshot, options: MemoryEngineOptions = {}): MemoryEngine {
        const engine = new MemoryEngine(options);
        for (const [ref, saved] of Object.entries(snapshot.stacks)) {
            const stack: MemoryStack = {
                config: new Map(Object.entries(saved.config)),
                history: saved.history.map((op) => ({
                    kind: op.kind,
                    result: op.result,
                    startTime: new Date(op.startTime),
                    ...(op.endTime ? { endTime: new Date(op.endTime) } : {}),
                })),
                resourceCount: saved.resourceCount,
                outputs: {},
                ...(saved.deployedConfig ? { deployedConfig: saved.deployedConfig } : {}),
            };
            stack.outputs = engine.outputsFor(ref, stack);
            engine.stacks.set(ref, stack);
        }
        return engine;
    }

    // ---- StackEngine ----

    async listStacks(): Promise<StackSummary[]> {
        this.calls.push("listStacks");
        return [...this.stacks.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([ref, stack]) => {
                const last = stack.history.at(-1);
                return {
                    ref,
                    updateInProgress: stack.running !== undefined || stack.foreignLock !== undefined,
                    resourceCount: stack.resourceCount,
                    ...(last ? { lastUpdate: last.endTime ?? last.startTime } : {}),
                };
            });
    }

    async createStack(ref: string, settings: Readonly<Record<string, SettingValue>>, secretKeys: readonly string[]): Promise<void> {
        this.calls.push(`createStack ${ref}`);
        await tick();
        if (this.stacks.has(ref)) throw new StackExistsError(ref);
        this.throwInjected(ref, "createStack");
        const stack: MemoryStack = { config: new Map(), history: [], resourceCount: 0, outputs: {} };
        this.stacks.set(ref, stack);
        try {
            await this.setConfig(ref, settings, secretKeys);
        } catch (error) {
            this.stacks.delete(ref); // nothing half-made
            throw error;
        }
    }

    async setConfig(ref: string, settings: Readonly<Record<string, SettingValue>>, secretKeys: readonly string[]): Promise<void> {
        this.calls.push(`setConfig ${ref}`);
        const stack = this.stack(ref);
        this.throwInjected(ref, "setConfig");
        for (const [key, value] of Object.entries(settings)) {
            stack.config.set(key, { value: encodeSettingValue(value), secret: secretKeys.includes(key) });
        }
    }

    async removeConfig(ref: string, keys: readonly string[]): Promise<void> {
        this.calls.push(`removeConfig ${ref}`);
        const stack = this.stack(ref);
        for (const key of keys) stack.config.delete(key);
    }

    async getConfig(ref: string): Promise<Record<string, string>> {
        return this.configValues(this.stack(ref));
    }

    up(ref: string, options: OperationOptions = {}): Promise<OperationOutcome> {
        return this.run(ref, "update", options, (stack) => {
            const created = stack.resourceCount === 0;
            stack.resourceCount = this.resourceCount;
            stack.deployedConfig = this.configValues(stack);
            stack.outputs = this.outputsFor(ref, stack);
            return created ? { create: this.resourceCount } : { same: this.resourceCount };
        });
    }

    /** A checkpoint of the stack's resources: the random secrets, the docker provider and one docker resource per count. */
    async exportState(ref: string): Promise<StackState> {
        const stack = this.stack(ref);
        this.throwInjected(ref, "exportState");
        const provider = `urn:pulumi:${ref}::supabase-fleet::pulumi:providers:docker::${ref}-docker`;
        const resources: StateResource[] =
            stack.resourceCount === 0
                ? []
                : [
                      { urn: `urn:pulumi:${ref}::supabase-fleet::random:index/randomPassword:RandomPassword::${ref}-jwtSecret`, type: "random:index/randomPassword:RandomPassword" },
                      { urn: provider, type: "pulumi:providers:docker" },
                      ...Array.from({ length: stack.resourceCount - 2 }, (_, i) => ({ urn: `urn:pulumi:${ref}::supabase-fleet::docker:index/container:Container::${ref}-${i}`, type: "docker:index/container:Container", provider: `${provider}::id` })),
                      // As the component: a tenant deployed behind the edge proxy has its edge guard.
                      ...(stack.deployedConfig?.edgeHostname ? [{ urn: `urn:pulumi:${ref}::supabase-fleet::command:local:Command::${ref}${EDGE_GUARD_SUFFIX}`, type: "command:local:Command" }] : []),
                  ];
        return { version: 3, deployment: { resources } };
    }

    async importState(ref: string, state: StackState): Promise<void> {
        const stack = this.stack(ref);
        this.throwInjected(ref, "importState");
        stack.resourceCount = state.deployment.resources?.length ?? 0;
        if (stack.resourceCount === 0) delete stack.deployedConfig;
    }

    refresh(ref: string, options: OperationOptions = {}): Promise<OperationOutcome> {
        return this.run(ref, "refresh", options, (stack) => ({ same: stack.resourceCount }));
    }

    destroy(ref: string, options: OperationOptions = {}): Promise<OperationOutcome> {
        return this.run(ref, "destroy", options, (stack) => {
            const deleted = stack.resourceCount;
            stack.resourceCount = 0;
            delete stack.deployedConfig;
            stack.outputs = {};
            return { delete: deleted };
        });
    }

    async preview(ref: string, options: PreviewOptions = {}): Promise<StackPreview> {
        this.calls.push(`preview ${ref}`);
        const started = Date.now();
        const stack = this.stack(ref);
        if (stack.foreignLock) throw new StackLockedError(ref, stack.foreignLock);
        const events: EngineEvent[] = [];
        const emit = (event: Omit<EngineEvent, "sequence" | "timestamp">) => {
            const full = { sequence: events.length, timestamp: Math.floor(Date.now() / 1000), ...event } as EngineEvent;
            events.push(full);
            options.onEvent?.(full);
        };
        this.enter();
        try {
            this.throwInjected(ref, "preview");
            await this.pause(options.signal, ref);
            const steps = this.plannedSteps(ref, stack, options.diff === true);
            for (const step of steps) {
                emit({ resourcePreEvent: { metadata: { ...step, provider: "", ...(step.replaceReasons ? { keys: [...step.replaceReasons] } : {}) } as never, planning: true } });
            }
            const changeSummary: OpMap = {};
            for (const step of steps) changeSummary[step.op] = (changeSummary[step.op] ?? 0) + 1;
            const unchanged = stack.resourceCount - steps.filter((s) => s.op !== "create").length;
            if (unchanged > 0) changeSummary.same = unchanged;
            emit({ summaryEvent: { maybeCorrupt: false, durationSeconds: 0, resourceChanges: changeSummary, policyPacks: {} } });
            return { ref, changeSummary, steps, events, durationMs: Date.now() - started };
        } finally {
            this.leave();
        }
    }

    async outputs(ref: string, showSecrets: boolean): Promise<Record<string, StackOutput>> {
        const outputs = this.stack(ref).outputs;
        return Object.fromEntries(
            Object.entries(outputs).map(([key, output]) => [key, output.secret && !showSecrets ? { value: SECRET_MASK, secret: true } : output]),
        );
    }

    async removeStack(ref: string): Promise<void> {
        this.calls.push(`removeStack ${ref}`);
        const stack = this.stack(ref);
        if (stack.running || stack.foreignLock) throw new StackLockedError(ref, stack.foreignLock);
        if (stack.resourceCount > 0) throw new Error(`stack "${ref}" still has ${stack.resourceCount} resources; destroy it first`);
        this.stacks.delete(ref);
    }

    async cancel(ref: string): Promise<void> {
        this.calls.push(`cancel ${ref}`);
        const running = this.stacks.get(ref)?.running;
        if (!running) return;
        running.controller.abort();
        await running.settled.catch(() => undefined);
    }

    async lastOperation(ref: string): Promise<LastOperation | undefined> {
        const stack = this.stack(ref);
        if (stack.foreignLock && !stack.running) {
            return { kind: "update", result: "in-progress", startTime: new Date(0) };
        }
        return stack.history.at(-1);
    }

    async checkUnlocked(ref: string): Promise<void> {
        const stack = this.stacks.get(ref);
        if (stack?.foreignLock) throw new StackLockedError(ref, stack.foreignLock);
        if (stack?.running) throw new StackLockedError(ref, "an update started by this process");
    }

    // ---- internals ----

    private stack(ref: string): MemoryStack {
        const stack = this.stacks.get(ref);
        if (!stack) throw new StackNotFoundError(ref);
        return stack;
    }

    private configValues(stack: MemoryStack): Record<string, string> {
        return Object.fromEntries([...stack.config].map(([key, entry]) => [key, entry.value]));
    }

    private outputsFor(ref: string, stack: MemoryStack): Record<string, StackOutput> {
        if (stack.resourceCount === 0) return {};
        const port = stack.config.get("kongHttpPort")?.value ?? "8000";
        return {
            ref: { value: ref, secret: false },
            apiUrl: { value: stack.config.get("apiUrl")?.value ?? `http://localhost:${port}`, secret: false },
            anonKey: { value: `memory-anon-key-${ref}`, secret: true },
            // The opaque keys exist from release 0.8.2 on, as the component's outputs.
            ...(stack.config.get("release")?.value === "0.8.2"
                ? { publishableKey: { value: `sb_publishable_memory-${ref}`, secret: false }, secretKey: { value: `sb_secret_memory-${ref}`, secret: true } }
                : {}),
            postgresSessionUrl: { value: `postgresql://postgres.${ref}:memory-password-${ref}@127.0.0.1:${stack.config.get("postgresPort")?.value ?? "5432"}/postgres`, secret: true },
        };
    }

    private throwInjected(ref: string, kind: FailureRule["kind"]): void {
        const rule = this.failures.find((f) => f.ref === ref && f.kind === kind && f.times > 0);
        if (!rule) return;
        rule.times -= 1;
        throw kind === "createStack" || kind === "setConfig" ? new Error(rule.message) : new OperationFailedError(ref, kind as OperationKind, rule.message);
    }

    private enter(): void {
        this.running += 1;
        this.maxConcurrent = Math.max(this.maxConcurrent, this.running);
    }

    private leave(): void {
        this.running -= 1;
    }

    private async pause(signal: AbortSignal | undefined, ref: string): Promise<void> {
        if (signal?.aborted) throw new OperationCancelledError(ref);
        await sleep(this.stepDelayMs, signal);
        if (signal?.aborted) throw new OperationCancelledError(ref);
    }

    private async run(
        ref: string,
        kind: OperationKind,
        options: OperationOptions,
        apply: (stack: MemoryStack) => OpMap,
    ): Promise<OperationOutcome> {
        this.calls.push(`${kind} ${ref}`);
        const stack = this.stack(ref);
        if (stack.foreignLock) throw new StackLockedError(ref, stack.foreignLock);
        if (stack.running) throw new StackLockedError(ref, "an update started by this process");

        const controller = new AbortController();
        const onOuterAbort = () => controller.abort();
        options.signal?.addEventListener("abort", onOuterAbort, { once: true });
        if (options.signal?.aborted) controller.abort();

        const started = new Date();
        const operation: { kind: OperationKind; result: LastOperation["result"]; startTime: Date; endTime?: Date } = {
            kind,
            result: "in-progress",
            startTime: started,
        };
        stack.history.push(operation);
        this.enter();
        const body = async (): Promise<OperationOutcome> => {
            const total = kind === "update" ? this.resourceCount : stack.resourceCount;
            for (let done = 1; done <= total; done++) {
                await this.pause(controller.signal, ref);
                options.onProgress?.({ done, total, lastUrn: `urn:pulumi:${ref}::supabase-fleet::memory:Resource::r${done}` });
            }
            await this.pause(controller.signal, ref);
            this.throwInjected(ref, kind);
            const changes = apply(stack);
            return { kind, changes, durationMs: Date.now() - started.getTime() };
        };
        const settled = body();
        stack.running = { controller, settled };
        try {
            const outcome = await settled;
            operation.result = "succeeded";
            if (kind === "update" || kind === "destroy") this.options.onApplied?.(ref, kind, this.configValues(stack));
            return outcome;
        } catch (error) {
            operation.result = "failed"; // Pulumi records a cancelled update as failed, too
            throw error;
        } finally {
            operation.endTime = new Date();
            delete stack.running;
            options.signal?.removeEventListener("abort", onOuterAbort);
            this.leave();
        }
    }

    /** What an update would do: create everything the first time, else update for changed settings. */
    private plannedSteps(ref: string, stack: MemoryStack, detailed: boolean): PreviewStep[] {
        const urn = (name: string, type: string) => `urn:pulumi:${ref}::supabase-fleet::${type}::${name}`;
        if (!stack.deployedConfig) {
            return Array.from({ length: this.resourceCount }, (_, i) => ({ op: "create" as const, urn: urn(`r${i + 1}`, "memory:Resource"), type: "memory:Resource" }));
        }
        const current = this.configValues(stack);
        const keys = [...new Set([...Object.keys(current), ...Object.keys(stack.deployedConfig)])].sort();
        const changed = keys.filter((key) => current[key] !== stack.deployedConfig![key]);
        if (changed.length === 0) return [];
        const portChanged = changed.some((key) => key.endsWith("Port"));
        const step: PreviewStep = {
            op: portChanged ? "replace" : "update",
            urn: urn(`${ref}-settings`, "memory:Settings"),
            type: "memory:Settings",
            diffs: changed,
            ...(detailed ? { detailedDiff: Object.fromEntries(changed.map((key) => [key, { diffKind: "update" as never, inputDiff: true }])) } : {}),
            ...(portChanged ? { replaceReasons: changed.filter((key) => key.endsWith("Port")) } : {}),
        };
        return [step];
    }
}

function tick(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0) return tick();
    return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        }
        signal?.addEventListener("abort", done, { once: true });
    });
}
