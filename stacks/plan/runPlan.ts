/**
 * The offline plan: runs the real program (its default export, the function `pulumi up` runs) inside
 * a Pulumi stack, under mocks, with a stack's own config, and turns what it registered into a
 * PlanDocument. Several stacks run one after the other in one process: the program module is imported
 * once; each stack gets a fresh runtime state (its own async-local store, as the Automation API gives
 * each inline run), its own mocks, stack name and config.
 */
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { HOST_STACK_CONFIG_DIR } from "../../components/hostServices/catalog.js";
import { crossStackProblems } from "./crossStack.js";
import { compareResources, type PlanDocument, type PlanResource } from "./document.js";
import { PlanError } from "./errors.js";
import { maskWireProperties } from "./masking.js";
import { planMocks } from "./mocks.js";
import { RegistrationRecorder, nameOfUrn } from "./recorder.js";
import { HOST_PROJECT, hostStacksDir, readProjectFile, readStackConfig, stackFilePath, type ProjectFile, type StackConfig } from "./stackConfig.js";

export type { PlanDocument, PlanResource, PlanValue } from "./document.js";
export { PlanError } from "./errors.js";
export { listHostStacks, listStacks } from "./stackConfig.js";

export interface PlanOptions {
    /** Directory holding Pulumi.yaml and the stack files. Default: the current directory. */
    readonly projectDir?: string;
    /** The program module (default-exports the program function). Default: `<projectDir>/index.ts`. */
    readonly programPath?: string;
    /**
     * Keep full, source-mapped stack traces while the program runs (for `--verbose`). Off by default:
     * the SDK captures a stack trace for every promise it tracks and for every resource, which with
     * source maps on (tsx turns them on) is most of the time a plan takes.
     */
    readonly stackTraces?: boolean;
    /** Host stacks (`hosts/Pulumi.<host>.yaml`, project supabase-fleet-host) planned after the tenant stacks. */
    readonly hostStacks?: readonly string[];
}

/** `project`: the tenant project's name, or the host stacks' (HOST_PROJECT_NAME). */
export type PlanOutcome =
    | { readonly stack: string; readonly project: string; readonly document: PlanDocument }
    | { readonly stack: string; readonly project: string; readonly error: PlanError };

type Program = () => Promise<Record<string, unknown> | void>;

/** Plans the given stacks; throws the first stack's PlanError if any stack fails. */
export async function planStacks(stacks: readonly string[], options: PlanOptions = {}): Promise<PlanDocument[]> {
    const outcomes = await planStacksSettled(stacks, options);
    const documents: PlanDocument[] = [];
    for (const outcome of outcomes) {
        if ("error" in outcome) throw outcome.error;
        documents.push(outcome.document);
    }
    return documents;
}

/**
 * Plans the given stacks, in the order given, and reports each one's document or error. Thrown
 * instead: unknown stack names (before anything runs) and a program that cannot be loaded.
 */
export async function planStacksSettled(stacks: readonly string[], options: PlanOptions = {}): Promise<PlanOutcome[]> {
    const projectDir = resolve(options.projectDir ?? process.cwd());
    const project = readProjectFile(projectDir);
    const hostDir = hostStacksDir(projectDir);
    const work = [
        ...stacks.map((stack) => ({ stack, dir: projectDir, project, file: `Pulumi.${stack}.yaml` })),
        ...(options.hostStacks ?? []).map((host) => ({ stack: host, dir: hostDir, project: HOST_PROJECT, file: `${HOST_STACK_CONFIG_DIR}/Pulumi.${host}.yaml` })),
    ];
    for (const { stack, dir } of work) stackFilePath(dir, stack); // every name must exist before any runs

    const outcomes: PlanOutcome[] = [];
    const planned: StackConfig[] = [];
    let program: Program | undefined;
    const restoreTraces = options.stackTraces === true ? () => {} : withoutCostlyStackTraces();
    try {
        for (const { stack, dir, project: stackProject, file } of work) {
            const failed = (error: unknown): PlanOutcome => ({ stack, project: stackProject.name, error: asPlanError(error, stack) });
            let stackConfig: StackConfig;
            try {
                stackConfig = readStackConfig(dir, stackProject, stack, file);
            } catch (error) {
                outcomes.push(failed(error));
                continue;
            }
            // Loaded once, when a first stack needs it; if it cannot load, no stack can be planned (thrown).
            program ??= await loadProgram(options.programPath ?? join(projectDir, "index.ts"));
            try {
                outcomes.push({ stack, project: stackProject.name, document: await planOneStack(program, stackProject, stackConfig) });
                // Tenants only: the cross-stack rules are about tenants sharing a host (ports, names).
                if (stackProject === project) planned.push(stackConfig);
            } catch (error) {
                outcomes.push(failed(error));
            }
        }
    } finally {
        restoreTraces();
    }
    // A stack that clashes with one planned before it fails, with every clash on its own line.
    const clashes = new Map<string, string[]>();
    for (const problem of crossStackProblems(planned)) clashes.set(problem.stack, [...(clashes.get(problem.stack) ?? []), problem.message]);
    return outcomes.map((outcome) => {
        const messages = outcome.project === project.name ? clashes.get(outcome.stack) : undefined;
        return messages ? { stack: outcome.stack, project: outcome.project, error: new PlanError("config", messages.join("\n"), outcome.stack) } : outcome;
    });
}

/**
 * Frames kept while planning. Few frames make the SDK's per-promise `new Error().stack` cheap; at
 * least three, because tsx's module loader reads the top three frames of a stack to resolve imports.
 */
const PLAN_STACK_TRACE_LIMIT = 4;

/**
 * Turns off what makes the SDK's per-promise `new Error().stack` expensive: source-mapped traces
 * and deep stacks. Errors keep their messages (all a user's mistake needs). Returns the undo.
 */
function withoutCostlyStackTraces(): () => void {
    const runtime = process as NodeJS.Process & { sourceMapsEnabled?: boolean; setSourceMapsEnabled?: (enabled: boolean) => void };
    const sourceMaps = runtime.sourceMapsEnabled;
    const stackTraceLimit = Error.stackTraceLimit;
    runtime.setSourceMapsEnabled?.(false);
    Error.stackTraceLimit = Math.min(stackTraceLimit, PLAN_STACK_TRACE_LIMIT);
    return () => {
        if (sourceMaps !== undefined) runtime.setSourceMapsEnabled?.(sourceMaps);
        Error.stackTraceLimit = stackTraceLimit;
    };
}

async function loadProgram(programPath: string): Promise<Program> {
    // Before any program code runs, so that a module that reads the stack at import time sees mocks.
    await pulumi.runtime.setMocks(planMocks, "project", "stack", true);
    let module: { default?: unknown };
    try {
        module = (await import(pathToFileURL(resolve(programPath)).href)) as { default?: unknown };
    } catch (error) {
        throw new PlanError("program", `cannot load the program ${programPath}: ${messageOf(error)}`, undefined, { cause: error, traceHelps: true });
    }
    if (typeof module.default !== "function") {
        throw new PlanError("program", `${programPath} must default-export the program function (export default async function main() {...})`);
    }
    return module.default as Program;
}

/** Runs `body` in a fresh Pulumi runtime store; falls back to the shared store if the SDK lacks it. */
function withFreshRuntimeState<T>(body: () => Promise<T>): Promise<T> {
    const state = createRequire(import.meta.url)("@pulumi/pulumi/runtime/state") as {
        withLocalStorage?: (callback: () => Promise<T>) => Promise<T>;
    };
    return state.withLocalStorage ? state.withLocalStorage(body) : body();
}

function planOneStack(program: Program, project: ProjectFile, stackConfig: StackConfig): Promise<PlanDocument> {
    const { stack } = stackConfig;
    return withFreshRuntimeState(async () => {
        await pulumi.runtime.setMocks(planMocks, project.name, stack, /* preview */ true);
        pulumi.runtime.setAllConfig(stackConfig.config, stackConfig.secretKeys);
        const recorder = new RegistrationRecorder();

        // Errors a program raises outside the promise chain (in an apply, in a child's registration)
        // reach the process as unhandled rejections: while this stack runs they are its errors.
        const stray: unknown[] = [];
        const onStray = (error: unknown) => stray.push(error);
        process.on("unhandledRejection", onStray);
        process.on("uncaughtException", onStray);
        let failure: unknown;
        try {
            await pulumi.runtime.runInPulumiStack(async () => {
                pulumi.runtime.registerStackTransformation(recorder.transformation);
                return await program();
            });
        } catch (error) {
            failure = error;
        }
        try {
            await recorder.settled();
            await pulumi.runtime.disconnect(); // drains every outstanding RPC of this stack
        } finally {
            // Let rejections queued by the last settled promises be seen before the handlers go.
            await new Promise((resolveTick) => setImmediate(resolveTick));
            process.off("unhandledRejection", onStray);
            process.off("uncaughtException", onStray);
        }
        failure ??= stray[0];
        if (failure !== undefined) throw programFailure(failure, stack);
        if (pulumi.log.hasErrors()) throw new PlanError("program", `stack ${stack}: the program logged errors (see above)`, stack);

        return await buildDocument(recorder, project.name, stack);
    });
}

async function buildDocument(recorder: RegistrationRecorder, project: string, stack: string): Promise<PlanDocument> {
    const maskOptions = { nameOfUrn };
    const resources: PlanResource[] = [];
    for (const recorded of recorder.registered()) {
        resources.push({
            type: recorded.type,
            name: recorded.name,
            parent: recorded.parentUrn === "" ? null : nameOfUrn(recorded.parentUrn),
            dependsOn: await recorder.dependsOn(recorded.type, recorded.name),
            inputs: maskWireProperties(recorded.inputs, maskOptions),
        });
    }
    resources.sort(compareResources);
    for (let i = 1; i < resources.length; i++) {
        if (compareResources(resources[i - 1]!, resources[i]!) === 0) {
            throw new PlanError("program", `stack ${stack}: two resources of type ${resources[i]!.type} are both named "${resources[i]!.name}"`, stack);
        }
    }
    return { stack, project, resources, outputs: maskWireProperties(recorder.outputs(), maskOptions) };
}

function programFailure(error: unknown, stack: string): PlanError {
    if (error instanceof PlanError) return error;
    // RunError and ResourceError are how a program reports a user's mistake: their message is the report.
    if (pulumi.RunError.isInstance(error) || pulumi.ResourceError.isInstance(error)) {
        return new PlanError("program", (error as Error).message, stack, { cause: error });
    }
    return new PlanError("program", `stack ${stack}: the program failed: ${messageOf(error)}`, stack, { cause: error, traceHelps: true });
}

function asPlanError(error: unknown, stack: string): PlanError {
    if (error instanceof PlanError) return error;
    return new PlanError("program", `stack ${stack}: ${messageOf(error)}`, stack, { cause: error, traceHelps: true });
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
