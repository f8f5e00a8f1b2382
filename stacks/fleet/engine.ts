/**
 * The fleet's interface over the Pulumi Automation API: one stack per tenant, the stack name is the
 * tenant ref. The orchestration (registry sync, port allocation, parallel runs) only talks to this,
 * so it is tested against `memoryEngine.ts`; `automationEngine.ts` drives the real Pulumi CLI.
 *
 * Settings cross this interface by bare key (`kongHttpPort`); the engine owns the
 * `supabase-fleet:` namespace and the string encoding Pulumi config uses.
 */
import type { EngineEvent, OpMap, OpType, PropertyDiff } from "@pulumi/pulumi/automation/index.js";

export type { EngineEvent, OpMap, OpType, PropertyDiff };

/** A setting as written to stack config. Arrays are stored as JSON, numbers and booleans as text. */
export type SettingValue = string | number | boolean | readonly string[];

export type OperationKind = "update" | "preview" | "refresh" | "destroy" | "rename" | "import";
export type OperationResult = "in-progress" | "succeeded" | "failed" | "not-started";

/** The stack's most recent operation, from its history (or from this engine if it is running now). */
export interface LastOperation {
    readonly kind: OperationKind;
    readonly result: OperationResult;
    readonly startTime: Date;
    readonly endTime?: Date;
    /** Resource operations of that run, e.g. `{ same: 40, create: 2 }`. */
    readonly resourceChanges?: OpMap;
}

export interface StackSummary {
    readonly ref: string;
    readonly lastUpdate?: Date;
    readonly updateInProgress: boolean;
    readonly resourceCount?: number;
}

/** Progress of a running update, refresh or destroy. */
export interface OperationProgress {
    /** Resources whose step finished. */
    readonly done: number;
    /** Resources the run will touch, when known (from the previous run's count, or the plan). */
    readonly total?: number;
    /** URN of the resource that was just finished. */
    readonly lastUrn?: string;
    /** What the run is doing now, e.g. "previewing" or "create acme-realtime" (the longest-running step). */
    readonly phase?: string;
}

export interface OperationOptions {
    /** Aborting it cancels the operation the way Ctrl-C does: Pulumi stops and releases the stack's lock. */
    readonly signal?: AbortSignal;
    readonly onProgress?: (progress: OperationProgress) => void;
    /** Every raw engine event, in order. */
    readonly onEvent?: (event: EngineEvent) => void;
}

export interface PreviewOptions extends OperationOptions {
    /** Ask Pulumi for detailed diffs (property paths) on every step. */
    readonly diff?: boolean;
}

export interface OperationOutcome {
    readonly kind: OperationKind;
    /** Resource operations, e.g. `{ create: 12, same: 3 }`. */
    readonly changes: OpMap;
    readonly durationMs: number;
}

/**
 * One step of a preview, taken from the engine's `resourcePreEvent`s. The pull-request renderer
 * reads these fields; `replaceReasons` are the property keys that force a replacement.
 */
export interface PreviewStep {
    readonly op: OpType;
    readonly urn: string;
    readonly type: string;
    readonly diffs?: readonly string[];
    readonly detailedDiff?: Readonly<Record<string, PropertyDiff>>;
    readonly replaceReasons?: readonly string[];
}

export interface StackPreview {
    readonly ref: string;
    /** Resource operations the update would perform, e.g. `{ create: 2, update: 1, same: 40 }`. */
    readonly changeSummary: OpMap;
    /** Steps other than `same`, in engine order. */
    readonly steps: readonly PreviewStep[];
    /** Every raw engine event of the preview, for renderers that need more than the steps. */
    readonly events: readonly EngineEvent[];
    readonly durationMs: number;
}

/** An output value; secrets are replaced by `"[secret]"` unless they were asked for. */
export interface StackOutput {
    readonly value: unknown;
    readonly secret: boolean;
}

/** A stack's checkpoint: Pulumi's `stack export` format (version, and the deployment with its resources). */
export interface StackState {
    readonly version: number;
    readonly deployment: { readonly resources?: readonly StateResource[]; readonly [key: string]: unknown };
}

/** One resource of a checkpoint, with the fields the fleet reads; the others pass through untouched. */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly provider?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    readonly [key: string]: unknown;
}

export interface StackEngine {
    /** Where stacks live, for messages: a backend URL. Never contains credentials. */
    readonly backendDescription: string;
    listStacks(): Promise<StackSummary[]>;
    /** Creates the stack with its config; on any failure nothing is left behind. Throws StackExistsError. */
    createStack(ref: string, settings: Readonly<Record<string, SettingValue>>, secretKeys: readonly string[]): Promise<void>;
    /** Sets the given settings (others are left as they are); keys in `secretKeys` are encrypted. */
    setConfig(ref: string, settings: Readonly<Record<string, SettingValue>>, secretKeys: readonly string[]): Promise<void>;
    removeConfig(ref: string, keys: readonly string[]): Promise<void>;
    /** The stack's `supabase-fleet:` settings by bare key, as Pulumi returns them (strings, secrets decrypted). */
    getConfig(ref: string): Promise<Record<string, string>>;
    up(ref: string, options?: OperationOptions): Promise<OperationOutcome>;
    preview(ref: string, options?: PreviewOptions): Promise<StackPreview>;
    refresh(ref: string, options?: OperationOptions): Promise<OperationOutcome>;
    /** The stack's checkpoint as Pulumi exports it (secret values stay encrypted in it). */
    exportState(ref: string): Promise<StackState>;
    /** Replaces the stack's checkpoint; resources it leaves out are forgotten, not deleted. */
    importState(ref: string, state: StackState): Promise<void>;
    destroy(ref: string, options?: OperationOptions): Promise<OperationOutcome>;
    outputs(ref: string, showSecrets: boolean): Promise<Record<string, StackOutput>>;
    /** Removes the stack and its config. Refuses while it still has resources unless destroyed first. */
    removeStack(ref: string): Promise<void>;
    /**
     * Cancels an operation this engine is running on the stack and resolves once it has stopped and
     * released the lock. A no-op when none runs: a lock held by another process is never broken here.
     */
    cancel(ref: string): Promise<void>;
    lastOperation(ref: string): Promise<LastOperation | undefined>;
    /**
     * Throws StackLockedError while another process holds the stack's lock, so an operation is refused
     * before it runs anything; a lock left by a process of this machine that has exited does not count.
     */
    checkUnlocked(ref: string): Promise<void>;
}

// ---- errors every engine throws, so the orchestration can tell them apart ----

export class StackNotFoundError extends Error {
    constructor(readonly ref: string) {
        super(`unknown tenant "${ref}": no stack of that name (fleet list shows the tenants)`);
        this.name = "StackNotFoundError";
    }
}

export class StackExistsError extends Error {
    constructor(readonly ref: string) {
        super(`tenant "${ref}" already exists (a stack of that name is in the backend)`);
        this.name = "StackExistsError";
    }
}

/** The stack is locked by another update (another process, or a run that crashed and left its lock). */
export class StackLockedError extends Error {
    constructor(
        readonly ref: string,
        detail?: string,
    ) {
        super(
            `stack "${ref}" is locked by another update${detail ? ` (${detail})` : ""}; wait for it to finish, ` +
                `or if no update runs any more, clear the lock with: pulumi cancel --stack ${ref}`,
        );
        this.name = "StackLockedError";
    }
}

export class OperationCancelledError extends Error {
    constructor(readonly ref: string) {
        super(`cancelled; stack "${ref}" was left unlocked`);
        this.name = "OperationCancelledError";
    }
}

/** The operation ran and failed; the message holds Pulumi's error lines, never a stack trace. */
export class OperationFailedError extends Error {
    constructor(
        readonly ref: string,
        readonly kind: OperationKind,
        detail: string,
    ) {
        super(detail);
        this.name = "OperationFailedError";
    }
}
