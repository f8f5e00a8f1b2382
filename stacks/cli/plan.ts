/**
 * `npm run plan`: a tenant's desired state without the Pulumi CLI. See PLAN_USAGE and docs/offline-plan.md.
 * Exit codes: 0 every stack planned; 1 a stack's config or program failed; 2 a wrong flag or stack name.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { HOST_PROJECT_NAME, HOST_STACK_CONFIG_DIR } from "../../components/hostServices/catalog.js";
import { PLAN_USAGE, parsePlanArgs, type PlanCliArgs } from "../plan/cliArgs.js";
import { stableJson, type PlanDocument } from "../plan/document.js";
import { PlanError } from "../plan/errors.js";
import { renderPlan } from "../plan/render.js";
import { listHostStacks, listStacks, planStacksSettled } from "../plan/runPlan.js";
import { readProjectFile } from "../plan/stackConfig.js";
import { writeDocuments } from "../plan/writeDocuments.js";
import { runEntryPoint } from "./process.js";

async function main(argv: readonly string[]): Promise<number> {
    let args: PlanCliArgs;
    try {
        args = parsePlanArgs(argv);
    } catch (error) {
        return report([error], false);
    }
    if (args.help) {
        process.stdout.write(`${PLAN_USAGE}\n`);
        return 0;
    }

    const projectDir = args.projectDir ?? process.cwd();
    const documents: PlanDocument[] = [];
    const failures: unknown[] = [];
    try {
        const stacks = args.all ? listStacks(projectDir) : args.stacks;
        const hostStacks = args.all ? listHostStacks(projectDir) : [];
        if (stacks.length === 0 && hostStacks.length === 0) throw new PlanError("usage", `no stacks: there is no Pulumi.<stack>.yaml in ${projectDir}`);
        // The program's own console output must not mix with the plan on stdout.
        const outcomes = await withConsoleOnStderr(() => planStacksSettled(stacks, { projectDir, stackTraces: args.verbose, hostStacks }));
        for (const outcome of outcomes) {
            if ("error" in outcome) failures.push(outcome.error);
            else documents.push(outcome.document);
        }
    } catch (error) {
        failures.push(error);
    }

    if (args.out !== undefined) {
        // Prune only when every stack planned: a failed stack's file must stay, not vanish.
        const prune = (project: string) => (args.all && failures.length === 0 ? { pruneOtherStacksOf: project } : {});
        const hostDocuments = documents.filter((document) => document.project === HOST_PROJECT_NAME);
        const hostsOut = join(args.out, HOST_STACK_CONFIG_DIR);
        const results = [writeDocuments(args.out, documents.filter((document) => document.project !== HOST_PROJECT_NAME), prune(readProjectFile(projectDir).name))];
        // The hosts/ folder only once there is a host stack, or was one: a fleet without an edge gets none.
        if (hostDocuments.length > 0 || existsSync(hostsOut)) results.push(writeDocuments(hostsOut, hostDocuments, prune(HOST_PROJECT_NAME)));
        for (const path of results.flatMap((result) => result.written)) process.stdout.write(`wrote ${shownPath(path)}\n`);
        for (const path of results.flatMap((result) => result.removed)) process.stdout.write(`removed ${shownPath(path)} (its stack no longer exists)\n`);
    } else if (args.json) {
        if (documents.length > 0) process.stdout.write(stableJson(args.all || args.stacks.length > 1 ? documents : documents[0]));
    } else {
        process.stdout.write(documents.map(renderPlan).join("\n"));
    }
    return report(failures, args.verbose);
}

/** Relative to the current directory when inside it, absolute otherwise. */
function shownPath(path: string): string {
    const shown = relative(process.cwd(), path);
    return shown === "" || shown.startsWith("..") ? path : shown;
}

/** Prints each failure as `error: <message>` and returns the exit code: 2 for usage, else 1. */
function report(failures: readonly unknown[], verbose: boolean): number {
    let exitCode = 0;
    for (const failure of failures) {
        const planError = failure instanceof PlanError ? failure : undefined;
        const message = planError?.message ?? (failure instanceof Error ? failure.message : String(failure));
        process.stderr.write(`error: ${message}\n`);
        const cause = planError ? planError.cause : failure;
        if (verbose && cause instanceof Error && cause.stack) process.stderr.write(`${cause.stack}\n`);
        exitCode = Math.max(exitCode, planError?.exitCode ?? 1);
    }
    const traceHelps = failures.some((failure) => !(failure instanceof PlanError) || failure.traceHelps);
    if (traceHelps && !verbose) process.stderr.write("(run with --verbose for the stack trace)\n");
    return exitCode;
}

async function withConsoleOnStderr<T>(body: () => Promise<T>): Promise<T> {
    const saved = { log: console.log, info: console.info, debug: console.debug };
    const toStderr = (...values: unknown[]) => console.error(...values);
    console.log = console.info = console.debug = toStderr;
    try {
        return await body();
    } finally {
        Object.assign(console, saved);
    }
}

// PLAN_USAGE answers --help in parsePlanArgs.
await runEntryPoint(main);
