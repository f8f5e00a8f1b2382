/**
 * The StackEngine over the real Pulumi Automation API (`@pulumi/pulumi/automation`). Needs the Pulumi
 * CLI on the PATH at run time. Each tenant gets its own work directory (see tenantWorkspace.ts), so
 * parallel runs do not race; the backend and secrets provider come from backend.ts.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type * as Automation from "@pulumi/pulumi/automation/index.js";
import { parse as parseYaml } from "yaml";
import { PROJECT_NAME } from "../../components/config/constants.js";
import { HOST_PROJECT_NAME, HOST_STACK_CONFIG_DIR } from "../../components/hostServices/catalog.js";
import { isUnsetConfigValue } from "../../components/config/load.js";
import { locateToolchain } from "../engine/toolchain.js";
import { describeBackend, prepareBackend, resolveBackend, type BackendSettings } from "./backend.js";
import { engineSshPath } from "./sshTransport.js";
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
    type PreviewOptions,
    type PreviewStep,
    type SettingValue,
    type StackEngine,
    type StackOutput,
    type StackPreview,
    type StackState,
    type StackSummary,
} from "./engine.js";
import { waitForPulumiChildren } from "./childExit.js";
import { liveLockHolder, removeStaleLocks } from "./staleLocks.js";
import { StepPhases } from "./stepPhases.js";
import { encodeSettingValue } from "./stackConfig.js";
import { prepareTenantWorkspace, readRootProject } from "./tenantWorkspace.js";

/**
 * How long a cancel waits for the CLI to exit: a cancelled CLI still finishes the steps in flight,
 * and the longest of them is a container's health wait (up to 300 s, see components/services).
 */
const CANCEL_GRACE_MS = 360_000;

type AutomationModule = typeof Automation;

const NAMESPACE = `${PROJECT_NAME}:`;
/** Key of the work directory used for commands that are not about one stack (listing). */
const SHARED_KEY = ".list";

/**
 * Which of the program's two projects the engine drives: the tenant stacks, or the host stacks
 * (one per fleet.yaml host, the edge proxy; see components/hostServices). Host stacks keep their
 * config files in hosts/ and their work directories under a prefix no tenant ref can have.
 */
export type EngineProject = "tenants" | "hosts";
const HOST_WORKSPACE_PREFIX = "~host-";

export interface AutomationEngineOptions {
    /** Directory of the project's Pulumi.yaml. */
    readonly repoRoot: string;
    readonly env?: NodeJS.ProcessEnv;
    readonly project?: EngineProject;
}

/** The host stacks' project file: the same program and runtime, its own name and config folder, no tenant settings. */
export function hostProjectFile(rootProject: Record<string, unknown>): Record<string, unknown> {
    return {
        name: HOST_PROJECT_NAME,
        description: "Shared services of a Docker host of the fleet (the edge proxy): one stack per fleet.yaml host.",
        runtime: rootProject.runtime,
        main: rootProject.main,
        stackConfigDir: HOST_STACK_CONFIG_DIR,
    };
}

/**
 * One version check of a CLI per process: a fleet command makes an engine per project (tenants, host
 * stacks), and each `pulumi version` is a CLI start. A failed check is not kept, so a retry checks again.
 */
const pulumiCommands = new Map<string, Promise<Automation.PulumiCommand>>();
function pulumiCommandOf(automation: AutomationModule, root: string | undefined): Promise<Automation.PulumiCommand> {
    return keptUnlessFailed(pulumiCommands, root ?? "", () => automation.PulumiCommand.get({ skipVersionCheck: false, ...(root ? { root } : {}) }));
}

/** The promise `map` holds for `key`, else a new one from `make`, dropped again if it fails. */
function keptUnlessFailed<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    let promise = map.get(key);
    if (!promise) {
        promise = make();
        map.set(key, promise);
        promise.catch(() => map.delete(key));
    }
    return promise;
}

/** Loads the Automation API and checks the CLI is there, with a message that says what to install. */
export async function createAutomationEngine(options: AutomationEngineOptions): Promise<AutomationEngine> {
    const automation = (await import("@pulumi/pulumi/automation/index.js")) as AutomationModule;
    const env = options.env ?? process.env;
    const toolchain = locateToolchain(env);
    let command: Automation.PulumiCommand;
    try {
        command = await pulumiCommandOf(automation, toolchain.root);
    } catch (error) {
        throw new Error(`the Pulumi CLI (${toolchain.description}) could not be used: ${firstLineOf(error)}`);
    }
    // Only once the CLI is there: a machine without it gets no state directory or passphrase file.
    const backend = resolveBackend(options.repoRoot, env);
    prepareBackend(backend);
    // ssh:// hosts: the docker CLI and the Docker provider run the fleet's host-key-checking ssh first.
    const engineEnv = { ...toolchain.env, PATH: engineSshPath(options.repoRoot, toolchain.env.PATH ?? env.PATH ?? "") };
    return new AutomationEngine(automation, command, options.repoRoot, backend, engineEnv, options.project ?? "tenants");
}

export class AutomationEngine implements StackEngine {
    readonly backendDescription: string;
    private readonly rootProject: Record<string, unknown>;
    private readonly namespace: string;
    private readonly workspacePrefix: string;
    private readonly running = new Map<string, { controller: AbortController; settled: Promise<unknown> }>();
    private readonly selected = new Map<string, Promise<Automation.Stack>>();

    constructor(
        private readonly automation: AutomationModule,
        private readonly command: Automation.PulumiCommand,
        private readonly repoRoot: string,
        private readonly backend: BackendSettings,
        /** The engine's own variables (PULUMI_HOME and offline switches of the project's toolchain). */
        private readonly engineEnv: Readonly<Record<string, string>> = {},
        project: EngineProject = "tenants",
    ) {
        this.backendDescription = describeBackend(backend.backendUrl);
        const root = readRootProject(repoRoot);
        if (project === "hosts") mkdirSync(join(repoRoot, HOST_STACK_CONFIG_DIR), { recursive: true });
        this.rootProject = project === "hosts" ? hostProjectFile(root) : root;
        this.namespace = project === "hosts" ? `${HOST_PROJECT_NAME}:` : NAMESPACE;
        this.workspacePrefix = project === "hosts" ? HOST_WORKSPACE_PREFIX : "";
    }

    private async workspace(key: string): Promise<Automation.LocalWorkspace> {
        return this.automation.LocalWorkspace.create({
            workDir: prepareTenantWorkspace(this.repoRoot, this.workspacePrefix + key, this.rootProject),
            pulumiCommand: this.command,
            envVars: { ...this.engineEnv, ...this.backend.envVars },
            secretsProvider: this.backend.secretsProvider,
        });
    }

    /**
     * The stack, selected once per engine: every later CLI call names it with --stack anyway, so a
     * second `pulumi stack select` (a CLI start, about a third of a CPU second) would only repeat the
     * existence check. A stack removed meanwhile still fails its next call as not found.
     */
    private stack(ref: string): Promise<Automation.Stack> {
        return keptUnlessFailed(this.selected, ref, () => this.selectStack(ref));
    }

    private async selectStack(ref: string): Promise<Automation.Stack> {
        try {
            return await this.automation.Stack.select(ref, await this.workspace(ref));
        } catch (error) {
            if (error instanceof this.automation.StackNotFoundError) throw new StackNotFoundError(ref);
            throw error;
        }
    }

    async listStacks(): Promise<StackSummary[]> {
        const stacks = await this.query(undefined, async () => (await this.workspace(SHARED_KEY)).listStacks());
        return stacks
            .map((stack) => ({
                ref: stack.name.split("/").at(-1)!,
                updateInProgress: stack.updateInProgress === true,
                ...(stack.lastUpdate ? { lastUpdate: new Date(stack.lastUpdate) } : {}),
                ...(stack.resourceCount !== undefined ? { resourceCount: stack.resourceCount } : {}),
            }))
            .sort((a, b) => a.ref.localeCompare(b.ref));
    }

    async createStack(ref: string, settings: Readonly<Record<string, SettingValue>>, secretKeys: readonly string[]): Promise<void> {
        const workspace = await this.workspace(ref);
        let stack: Automation.Stack;
        try {
            stack = await this.automation.Stack.create(ref, workspace);
        } catch (error) {
            if (error instanceof this.automation.StackAlreadyExistsError) throw new StackExistsError(ref);
            throw error;
        }
        try {
            await writeConfig(stack, settings, secretKeys, this.namespace);
        } catch (error) {
            // Nothing half-made: the stack goes again, and with it its config file.
            await workspace.removeStack(ref, { force: true }).catch(() => undefined);
            throw error;
        }
        this.selected.set(ref, Promise.resolve(stack));
    }

    async setConfig(ref: string, settings: Readonly<Record<string, SettingValue>>, secretKeys: readonly string[]): Promise<void> {
        await this.query(ref, async () => writeConfig(await this.stack(ref), settings, secretKeys, this.namespace));
    }

    async removeConfig(ref: string, keys: readonly string[]): Promise<void> {
        if (keys.length === 0) return;
        await this.query(ref, async () => (await this.stack(ref)).removeAllConfig(keys.map((key) => this.namespace + key)));
    }

    /**
     * What the stack itself sets. Pulumi's config listing also holds Pulumi.yaml's defaults of every
     * setting the stack leaves out; only keys of the stack's own file count (and, as the program reads
     * them, empty ones mean unset).
     */
    async getConfig(ref: string): Promise<Record<string, string>> {
        const all = await this.query(ref, async () => (await this.stack(ref)).getAllConfig());
        const ownKeys = stackFileKeys(this.repoRoot, this.rootProject, ref);
        const settings: Record<string, string> = {};
        for (const [key, entry] of Object.entries(all)) {
            if (key.startsWith(this.namespace) && ownKeys.has(key) && !isUnsetConfigValue(entry.value)) settings[key.slice(this.namespace.length)] = entry.value;
        }
        return settings;
    }

    up(ref: string, options: OperationOptions = {}): Promise<OperationOutcome> {
        return this.run(ref, "update", options, async (stack, common) => (await stack.up(common)).summary);
    }

    async exportState(ref: string): Promise<StackState> {
        return (await this.query(ref, async () => (await this.stack(ref)).exportStack())) as unknown as StackState;
    }

    async importState(ref: string, state: StackState): Promise<void> {
        await this.query(ref, async () => (await this.stack(ref)).importStack(state as unknown as Automation.Deployment));
    }

    refresh(ref: string, options: OperationOptions = {}): Promise<OperationOutcome> {
        return this.run(ref, "refresh", options, async (stack, common) => (await stack.refresh(common)).summary);
    }

    destroy(ref: string, options: OperationOptions = {}): Promise<OperationOutcome> {
        // runProgram: the current program (and so the current deleteDataOnDestroy) decides the volumes' fate.
        // Not for a stack that holds nothing (created --config-only): there the program would run with
        // generated secrets that never got a value, and there is nothing to decide.
        return this.run(ref, "destroy", options, async (stack, common) => {
            const resources = ((await stack.exportStack()).deployment as { resources?: unknown[] } | undefined)?.resources ?? [];
            return (await stack.destroy({ ...common, runProgram: resources.length > 0 })).summary;
        });
    }

    async preview(ref: string, options: PreviewOptions = {}): Promise<StackPreview> {
        const stack = await this.stack(ref);
        const started = Date.now();
        const events: EngineEvent[] = [];
        const errors: string[] = [];
        try {
            const result = await stack.preview({
                diff: options.diff === true,
                ...(options.signal ? { signal: options.signal } : {}),
                onEvent: (event) => {
                    events.push(event);
                    collectError(event, errors);
                    options.onEvent?.(event);
                },
            });
            return { ref, changeSummary: result.changeSummary, steps: stepsOf(events), events, durationMs: Date.now() - started };
        } catch (error) {
            throw this.translate(ref, "preview", error, options.signal?.aborted === true, errors);
        }
    }

    async outputs(ref: string, showSecrets: boolean): Promise<Record<string, StackOutput>> {
        const outputs = await this.query(ref, async () => (await this.stack(ref)).outputs());
        return Object.fromEntries(
            Object.entries(outputs).map(([key, output]) => [key, output.secret && !showSecrets ? { value: "[secret]", secret: true } : { value: output.value as unknown, secret: output.secret }]),
        );
    }

    async removeStack(ref: string): Promise<void> {
        this.selected.delete(ref);
        await this.query(ref, async () => (await this.workspace(ref)).removeStack(ref));
    }

    async cancel(ref: string): Promise<void> {
        const running = this.running.get(ref);
        if (!running) return;
        running.controller.abort(); // SIGINT to the CLI: it stops cleanly and releases the lock
        await running.settled.catch(() => undefined);
        // All in-flight stacks are cancelled together, so waiting for every child is right.
        await waitForPulumiChildren(CANCEL_GRACE_MS);
        // The CLI has stopped; a lock it left behind would refuse every later update of the stack.
        removeStaleLocks(this.backend.backendUrl, String(this.rootProject.name), ref);
    }

    async checkUnlocked(ref: string): Promise<void> {
        const holder = liveLockHolder(this.backend.backendUrl, String(this.rootProject.name), ref);
        if (holder) throw new StackLockedError(ref, holder);
    }

    async lastOperation(ref: string): Promise<LastOperation | undefined> {
        const stack = await this.query(ref, () => this.stack(ref));
        if (this.running.has(ref)) return { kind: "update", result: "in-progress", startTime: new Date() };
        const [last] = await this.query(ref, () => stack.history(1));
        if (!last) return undefined;
        return {
            kind: last.kind as OperationKind,
            result: last.result,
            startTime: new Date(last.startTime),
            ...(last.endTime ? { endTime: new Date(last.endTime) } : {}),
            ...(last.resourceChanges ? { resourceChanges: last.resourceChanges } : {}),
        };
    }

    private async run(
        ref: string,
        kind: OperationKind,
        options: OperationOptions,
        operation: (stack: Automation.Stack, common: { signal: AbortSignal; onEvent: (event: EngineEvent) => void }) => Promise<Automation.UpdateSummary>,
    ): Promise<OperationOutcome> {
        const stack = await this.stack(ref);
        const total = await this.expectedResourceCount(stack, kind);
        const controller = new AbortController();
        const onOuterAbort = () => controller.abort();
        options.signal?.addEventListener("abort", onOuterAbort, { once: true });
        if (options.signal?.aborted) controller.abort();

        const errors: string[] = [];
        let done = 0;
        const phases = new StepPhases();
        const report = (lastUrn?: string) =>
            options.onProgress?.({ done, ...(total !== undefined ? { total: Math.max(total, done) } : {}), ...(lastUrn ? { lastUrn } : {}), ...phases.current() });
        const onEvent = (event: EngineEvent) => {
            collectError(event, errors);
            const begun = event.resourcePreEvent;
            if (begun && phases.begin(begun.metadata, begun.planning === true)) report();
            const finished = event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
            if (finished) {
                done += 1;
                phases.end(finished.urn);
                report(finished.urn);
            }
            options.onEvent?.(event);
        };
        const started = Date.now();
        const settled = operation(stack, { signal: controller.signal, onEvent });
        this.running.set(ref, { controller, settled });
        try {
            const summary = await settled;
            return { kind, changes: summary.resourceChanges ?? {}, durationMs: Date.now() - started };
        } catch (error) {
            throw this.translate(ref, kind, error, controller.signal.aborted, errors);
        } finally {
            this.running.delete(ref);
            options.signal?.removeEventListener("abort", onOuterAbort);
        }
    }

    /** Resources the previous run ended with: the best estimate of a run's total without a preview. */
    private async expectedResourceCount(stack: Automation.Stack, kind: OperationKind): Promise<number | undefined> {
        try {
            const last = await stack.info();
            if (!last?.resourceChanges) return undefined;
            const changes = last.resourceChanges;
            const count = Object.entries(changes).reduce((sum, [op, n]) => (op === "delete" ? sum : sum + (n ?? 0)), 0);
            return kind === "destroy" && last.kind === "destroy" ? 0 : count || undefined;
        } catch {
            return undefined;
        }
    }

    /**
     * A CLI call that is not an operation. Its failure becomes the engine's own error or one line of
     * Pulumi's (`error: ...`), never the Automation API's framing (`code: -2`, the command line).
     */
    private async query<T>(ref: string | undefined, call: () => Promise<T>): Promise<T> {
        try {
            return await call();
        } catch (error) {
            if (error instanceof StackNotFoundError || error instanceof StackLockedError) throw error;
            if (ref !== undefined && error instanceof this.automation.StackNotFoundError) throw new StackNotFoundError(ref);
            if (ref !== undefined && isLockedText(String(error))) throw new StackLockedError(ref, lockHolder(String(error)));
            throw new Error(firstLineOf(error));
        }
    }

    private translate(ref: string, kind: OperationKind, error: unknown, aborted: boolean, errors: readonly string[]): Error {
        if (error instanceof this.automation.ConcurrentUpdateError || isLockedText(String(error))) {
            return new StackLockedError(ref, lockHolder(String(error)));
        }
        if (aborted) return new OperationCancelledError(ref);
        if (error instanceof this.automation.StackNotFoundError) return new StackNotFoundError(ref);
        const detail = errors.length > 0 ? errors.join("\n") : firstLineOf(error);
        return new OperationFailedError(ref, kind, detail);
    }
}

/**
 * The config writes for some settings. Pulumi checks a setting declared `array` in Pulumi.yaml only
 * against a real list in the stack's config (a JSON text would be refused as "must be of type
 * array<string>"), so lists are written element by element with path syntax, after the old list is
 * removed; an empty list is just removed (its declared default is the empty list).
 */
export function configWrites(
    settings: Readonly<Record<string, SettingValue>>,
    secretKeys: readonly string[],
    namespace: string = NAMESPACE,
): { scalars: Automation.ConfigMap; lists: { key: string; elements: Automation.ConfigMap }[] } {
    const scalars: Automation.ConfigMap = {};
    const lists: { key: string; elements: Automation.ConfigMap }[] = [];
    for (const [key, value] of Object.entries(settings)) {
        const secret = secretKeys.includes(key);
        if (Array.isArray(value)) {
            const elements = Object.fromEntries((value as readonly string[]).map((element, index) => [`${namespace}${key}[${index}]`, { value: element, secret }]));
            lists.push({ key: namespace + key, elements });
        } else {
            scalars[namespace + key] = { value: encodeSettingValue(value), secret };
        }
    }
    return { scalars, lists };
}

async function writeConfig(stack: Automation.Stack, settings: Readonly<Record<string, SettingValue>>, secretKeys: readonly string[], namespace: string): Promise<void> {
    const { scalars, lists } = configWrites(settings, secretKeys, namespace);
    if (Object.keys(scalars).length > 0) await stack.setAllConfig(scalars);
    for (const list of lists) {
        if ((await stack.getAllConfig())[list.key] !== undefined) await stack.removeConfig(list.key);
        if (Object.keys(list.elements).length > 0) await stack.setAllConfig(list.elements, true);
    }
}

function collectError(event: EngineEvent, errors: string[]): void {
    const diagnostic = event.diagnosticEvent;
    if (diagnostic?.severity === "error") {
        const text = diagnostic.message.replace(/\x1b\[[0-9;]*m/g, "").trim();
        if (text) errors.push(diagnosticSummary(text));
    }
}

/**
 * One error diagnostic in a line or so. A failed command resource reports `exit status N: running
 * "<script>": Stdout: ... Stderr: ...`; what its script said on stderr is the message, not the script.
 */
export function diagnosticSummary(text: string): string {
    const command = /exit status (\d+): running "[\s\S]*?":\s*Stdout:[\s\S]*?Stderr:\s*([\s\S]*)$/.exec(text);
    const stderr = command?.[2]?.trim();
    if (command && stderr) return `${stderr.split("\n").slice(-3).join(" ")} (exit status ${command[1]})`;
    return text.split("\n").slice(0, 3).join(" ");
}

/** Steps of a preview (not `same`) from its resourcePreEvents, with the fields PR renderers read. */
export function stepsOf(events: readonly EngineEvent[]): PreviewStep[] {
    const steps: PreviewStep[] = [];
    for (const event of events) {
        const metadata = event.resourcePreEvent?.metadata;
        if (!metadata || metadata.op === "same") continue;
        steps.push({
            op: metadata.op,
            urn: metadata.urn,
            type: metadata.type,
            ...(metadata.diffs ? { diffs: metadata.diffs } : {}),
            ...(metadata.detailedDiff ? { detailedDiff: metadata.detailedDiff } : {}),
            ...(metadata.keys && (metadata.op === "replace" || metadata.op === "create-replacement") ? { replaceReasons: metadata.keys } : {}),
        });
    }
    return steps;
}

function lockHolder(text: string): string | undefined {
    const match = /created by (\S+) \(pid (\d+)\) at (\S+)/.exec(text);
    return match ? `held by ${match[1]} pid ${match[2]} since ${match[3]}` : undefined;
}

function isLockedText(text: string): boolean {
    return /currently locked|Another update is currently in progress/.test(text);
}

/**
 * Pulumi's own error line of a failed CLI call. The Automation API wraps the CLI's stderr in lines
 * of its own (`code: -2`, `stdout:`, `stderr: Command failed with exit code 255: <command line>`),
 * which say nothing to a user.
 */
function firstLineOf(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    const lines = text
        .split("\n")
        .map((line) => line.trim().replace(/^(stdout|stderr|err\?):\s*/, ""))
        .filter((line) => line !== "" && !/^code: -?\d+$/.test(line) && !/^Command failed with exit code \d+/.test(line));
    return lines.find((line) => line.startsWith("error:")) ?? lines[0] ?? "unknown error";
}

/**
 * The config keys of the stack's own file, `Pulumi.<ref>.yaml` in the project's stackConfigDir
 * (LocalWorkspace.stackSettings would look in the per-tenant work directory, not through the link).
 */
function stackFileKeys(repoRoot: string, rootProject: Record<string, unknown>, ref: string): Set<string> {
    const dir = typeof rootProject.stackConfigDir === "string" ? join(repoRoot, rootProject.stackConfigDir) : repoRoot;
    const path = join(dir, `Pulumi.${ref}.yaml`);
    if (!existsSync(path)) return new Set();
    const document = parseYaml(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | null;
    return new Set(Object.keys(document?.config ?? {}));
}
