/**
 * The `fleet` command line, as a function: arguments and I/O in, exit code out. The entry point
 * (`stacks/cli/fleet.ts`) wires it to the process; tests call it in-process with the in-memory engine of test/fleet/doubles.
 */
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseDockerHost } from "../../../components/config/dockerHost.js";
import { TenantConfigError } from "../../../components/config/load.js";
import { OperationFailedError, StackExistsError, StackLockedError, StackNotFoundError, type StackEngine } from "../engine.js";
import { Fleet, FleetUsageError, type DestroyedTenant } from "../fleet.js";
import type { TenantDockerHostFactory } from "../ports.js";
import { createProgressReporter, type ProgressStream } from "../progress.js";
import { loadRegistry, RegistryError, type FleetRegistry, type RegistryReadOptions } from "../registry.js";
import { DEFAULT_PARALLEL, exitCodeFor, runFleet, type FleetRunReport, type TaskContext } from "../runner.js";
import { renderSummary, summaryJson } from "../summary.js";
import { releaseOfStack } from "../stackConfig.js";
import { applySyncItem, planSync, refsToApply, renderSyncPlan, syncPlanJson } from "../sync.js";
import { applyHostStackItem, checkHostStackRemovable, HostStackRemovalError, hostStacksToDeploy, planHostStacks, renderHostStackPlan } from "../hostStacks.js";
import { listHosts, renderHosts } from "../hosts.js";
import { EDGE_DATA_VOLUME } from "../../../components/hostServices/catalog.js";
import { fingerprintOf, HostKeyTrustError, knownHostsName, withTrustedHost, type KnownHostKey } from "../knownHosts.js";
import { confirmMove, describeMove, moveTenant, planMove, type MoveOutcome } from "../move.js";
import { collectStatus, listTenants, renderList, renderStatus } from "../tenantStatus.js";
import { firstLine, renderTable } from "../table.js";
import type { StackPreview } from "../engine.js";
import { COMMANDS, commandHelp, mainHelp } from "./help.js";
import { renderPreview } from "./previewText.js";
import { logsArgumentProblem, logOptionsFrom, renderLogLine } from "./logsArgs.js";
import { renderTenantInfo, tenantInfo } from "../tenantInfo.js";
import { backupStoreFrom, backupListing, formatBytes, renderBackupListing, retentionFrom } from "./backupArgs.js";
import { checkRotation, parseRotatable, rotatedMessage, rotateSecret, ROTATABLE_SECRETS, type RotationOutcome } from "../rotate.js";
import { backupTenant, checkRestoreTarget, drillTenant, restoreTenant, RestoreCheckError, DrillFailedError, type BackupOutcome } from "../backups.js";
import { BackupNotFoundError } from "../../backup/folder.js";
import { S3Error, S3UsageError } from "../../backup/s3Client.js";
import { BackupDamagedError } from "../../backup/restore.js";
import { parseRelease, planUpgrade, previewUpgrade, upgradeTenant, upgradeWaves, UpgradeFailedError, UpgradeHeldError, type UpgradeOutcome, type UpgradePreview } from "../upgrade.js";
import { RELEASE_NAMES } from "../../../components/releases.js";
import { confirmDb, dbUpgradePreflight, DbUpgradeFailedError, generations, planDbUpgrade, planInPlaceRestore, restoreInPlace, type InPlaceRestoreOutcome, rollbackDb, upgradeDb, type DbUpgradeOutcome } from "../dataGenerations.js";
import { renderFleetPreviewComment, type TenantPreview } from "../../preview/index.js";
import type { TenantRunResult } from "../runner.js";

export interface CliIo {
    readonly stdout: ProgressStream;
    readonly stderr: ProgressStream;
    readonly env: NodeJS.ProcessEnv;
    readonly cwd: string;
    /** Aborted on Ctrl-C: in-flight operations are cancelled. */
    readonly signal?: AbortSignal;
}

/** Overrides for tests and embedding: otherwise the Automation API engine and Docker through dockerode. */
export interface CliDeps {
    readonly engine?: StackEngine;
    /** The host stacks' engine; the tests' in-memory one, or the Automation API's over the host project. */
    readonly hostEngine?: StackEngine;
    readonly dockerHosts?: TenantDockerHostFactory;
    /** The fleet's known_hosts file and ssh-keyscan (the project's hosts/known_hosts; tests give a file of their own). */
    readonly knownHosts?: KnownHostsStore;
    /** Builds the real engines and Docker factory (lazy: the Automation API and dockerode load only when used). */
    readonly automation?: () => Promise<{ engine: StackEngine; hostEngine: StackEngine; dockerHosts: TenantDockerHostFactory }>;
}

const EXIT_USAGE = 2;
const EXIT_FAILED = 1;

const OPTIONS = {
    registry: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
    parallel: { type: "string" },
    all: { type: "boolean" },
    diff: { type: "boolean" },
    "dry-run": { type: "boolean" },
    up: { type: "boolean" },
    host: { type: "string" },
    "config-only": { type: "boolean" },
    "delete-data": { type: "boolean" },
    yes: { type: "boolean" },
    "show-secrets": { type: "boolean" },
    comment: { type: "string" },
    since: { type: "string" },
    tail: { type: "string" },
    follow: { type: "boolean", short: "f" },
    dir: { type: "string" },
    keep: { type: "string" },
    "max-age": { type: "string" },
    from: { type: "string" },
    into: { type: "string" },
    s3: { type: "string" },
    "from-env": { type: "string" },
    provider: { type: "string" },
    preview: { type: "boolean" },
    release: { type: "string" },
    to: { type: "string" },
    canary: { type: "string" },
    rollback: { type: "boolean" },
    "in-place": { type: "boolean" },
    confirm: { type: "boolean" },
    fingerprint: { type: "string" },
    replace: { type: "boolean" },
} as const;

/** Options each command accepts besides registry, engine, json and help. */
const COMMAND_OPTIONS: Record<string, readonly (keyof typeof OPTIONS)[]> = {
    sync: ["dry-run", "up", "parallel"],
    create: ["host", "config-only"],
    up: ["all", "parallel"],
    preview: ["all", "diff", "parallel", "comment"],
    refresh: ["all", "parallel"],
    destroy: ["delete-data", "yes"],
    pause: [],
    resume: [],
    status: ["parallel"],
    list: [],
    hosts: [],
    orphans: [],
    outputs: ["show-secrets"],
    info: ["show-secrets"],
    logs: ["since", "tail", "follow"],
    backup: ["all", "parallel", "dir", "s3", "keep", "max-age"],
    backups: ["dir", "s3"],
    restore: ["dir", "s3", "from", "into", "host", "in-place"],
    drill: ["dir", "s3", "from", "host"],
    rotate: ["preview", "from-env", "provider"],
    upgrade: ["all", "parallel", "release", "canary", "preview"],
    "upgrade-db": ["dir", "s3", "preview", "rollback", "confirm"],
    move: ["to", "dir", "s3", "preview", "confirm"],
    "trust-host": ["fingerprint", "replace"],
    "destroy-host": ["yes"],
};

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "string" ? string : boolean };

interface Invocation {
    readonly command: string;
    readonly positionals: readonly string[];
    readonly values: Values;
    readonly io: CliIo;
    readonly fleet: Fleet;
    readonly parallel: number;
    readonly json: boolean;
    readonly knownHosts?: KnownHostsStore;
}

/** Where `fleet trust-host` reads host keys and keeps them. */
export interface KnownHostsStore {
    readonly description: string;
    read(): string;
    write(text: string): void;
    scan(host: string, port: number): KnownHostKey[];
}

export async function runFleetCli(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
    let parsed: { values: Values; positionals: string[] };
    try {
        parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
    } catch (error) {
        return usage(io, `${(error as Error).message.split("\n")[0]} (see fleet --help)`);
    }
    const [command, ...positionals] = parsed.positionals;
    const { values } = parsed;

    if (command === undefined || command === "help") {
        const topic = positionals[0];
        if (topic !== undefined && !(topic in COMMANDS)) return usage(io, `unknown command "${topic}" (see fleet --help)`);
        io.stdout.write(topic ? commandHelp(topic) : mainHelp());
        return command === undefined && !values.help ? EXIT_USAGE : 0;
    }
    if (!(command in COMMANDS)) return usage(io, `unknown command "${command}"; commands: ${Object.keys(COMMANDS).join(", ")} (see fleet --help)`);
    if (values.help) {
        io.stdout.write(commandHelp(command));
        return 0;
    }
    const allowed = COMMAND_OPTIONS[command]!;
    const misplaced = (Object.keys(values) as (keyof typeof OPTIONS)[]).filter(
        (key) => !["registry", "json", "help"].includes(key) && !allowed.includes(key),
    );
    if (misplaced.length > 0) return usage(io, `fleet ${command} does not take --${misplaced[0]} (see fleet ${command} --help)`);

    const parallel = values.parallel === undefined ? DEFAULT_PARALLEL : Number(values.parallel);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) return usage(io, `--parallel: must be a whole number from 1 to 64 (got ${values.parallel})`);

    const argumentProblem = checkArguments(command, positionals, values);
    if (argumentProblem) return usage(io, argumentProblem);

    try {
        const registry = readRegistry(values.registry, io, READ_ONLY_COMMANDS.includes(command) ? "tolerate" : "refuse");
        // Needs no engine: it only reads a host's keys and writes the fleet's known_hosts.
        if (command === "trust-host") return trustHostCommand(positionals[0]!, values, io, registry, deps.knownHosts);
        let engine = deps.engine;
        let hostEngine = deps.hostEngine;
        let dockerHosts = deps.dockerHosts;
        if (!engine) {
            if (!deps.automation) throw new Error("the automation engine is not available in this build");
            const real = await deps.automation();
            engine = real.engine;
            hostEngine ??= real.hostEngine;
            dockerHosts ??= real.dockerHosts;
        }
        const fleet = new Fleet({ engine, dockerHosts: dockerHosts ?? missingDocker, ...(hostEngine ? { hostEngine } : {}), ...(registry ? { registry } : {}) });
        const invocation: Invocation = { command, positionals, values, io, fleet, parallel, json: values.json === true, ...(deps.knownHosts ? { knownHosts: deps.knownHosts } : {}) };
        return await COMMAND_HANDLERS[command]!(invocation);
    } catch (error) {
        return reportError(io, error);
    }
}

/** Commands that write no stack config: they work without the secrets that fleet.yaml takes from the environment. */
const READ_ONLY_COMMANDS = ["trust-host", "list", "hosts", "status", "outputs", "orphans", "info", "logs", "backup", "backups"];

const MULTI_TENANT = ["up", "preview", "refresh", "backup", "upgrade"];
const SINGLE_TENANT = ["create", "destroy", "pause", "resume", "outputs", "info", "backups", "restore", "drill", "upgrade-db", "move"];

/** Checks that need no engine, so a wrong command line fails fast even without the Pulumi CLI. */
function checkArguments(command: string, positionals: readonly string[], values: Values): string | undefined {
    if (MULTI_TENANT.includes(command)) {
        if (values.all && positionals.length > 0) return "give tenant refs or --all, not both";
        if (!values.all && positionals.length === 0) return "name at least one tenant ref, or pass --all for every tenant";
    }
    if (SINGLE_TENANT.includes(command) && positionals.length !== 1) {
        return positionals.length === 0 ? `fleet ${command} needs a tenant ref (see fleet ${command} --help)` : `fleet ${command} takes one tenant ref (got ${positionals.join(" ")})`;
    }
    if (command === "logs") return logsArgumentProblem(positionals, values);
    if (command === "rotate" && positionals.length !== 2) return `fleet rotate takes a tenant ref and what to rotate: fleet rotate <ref> <${Object.keys(ROTATABLE_SECRETS).join("|")}>`;
    if (command === "backup") {
        const retention = retentionFrom(values);
        if (typeof retention === "string") return retention;
    }
    if (command === "upgrade") {
        if (values.release === undefined) return `fleet upgrade needs --release <${RELEASE_NAMES.join("|")}>`;
        if (values.canary !== undefined && !/^[1-9][0-9]{0,3}$/.test(values.canary)) return `--canary: must be a whole number of tenants, 1 or more (got an invalid value)`;
    }
    if (command === "upgrade-db" && [values.preview, values.rollback, values.confirm].filter(Boolean).length > 1) return "fleet upgrade-db takes one of --preview, --rollback, --confirm";
    if (command === "move") {
        if (values.confirm && (values.to !== undefined || values.preview)) return "fleet move <ref> --confirm takes no --to or --preview";
        if (!values.confirm && values.to === undefined) return "fleet move needs --to <host> (or --confirm after a move)";
    }
    if (command === "restore" && values["in-place"] && (values.into !== undefined || values.host !== undefined)) return "fleet restore --in-place restores over the tenant itself: no --into or --host";
    if (command === "restore" && values.from === undefined) return "fleet restore needs --from <backup id|latest> (fleet backups <ref> lists them)";
    for (const key of ["from", "into"] as const) {
        if (values[key] !== undefined && !/^[a-z0-9][a-z0-9-]*$/i.test(values[key])) return `--${key}: must be a backup id, latest, or a tenant ref (got an invalid value)`;
    }
    if (command === "destroy-host" && positionals.length !== 1) return "fleet destroy-host takes one host stack name (fleet sync lists them)";
    if (command === "trust-host") {
        if (positionals.length !== 1) return "fleet trust-host takes one host name of fleet.yaml";
        if (values.fingerprint !== undefined && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(values.fingerprint)) return "--fingerprint: must be an SSH SHA256 fingerprint, SHA256: and 43 base64 characters (as ssh-keygen -lf prints it)";
    }
    if (["sync", "list", "hosts", "orphans"].includes(command) && positionals.length > 0) return `fleet ${command} takes no tenant refs (got ${positionals.join(" ")})`;
    return undefined;
}

/** `fleet trust-host <host>`: records the host keys of an ssh:// host in the fleet's known_hosts. */
function trustHostCommand(name: string, values: Values, io: CliIo, registry: FleetRegistry | undefined, store: KnownHostsStore | undefined): number {
    if (!store) throw new Error("no known_hosts file is configured in this build");
    const host = registry?.hosts.get(name);
    if (!host) throw new FleetUsageError(`${name} is not a host of ${registry?.source ?? "fleet.yaml"} (hosts: ${[...(registry?.hosts.keys() ?? [])].join(", ") || "none"})`);
    const endpoint = parseDockerHost(host.dockerHost);
    if (endpoint.kind !== "ssh") throw new FleetUsageError(`host ${name} is ${host.dockerHost}: only ssh:// hosts have host keys to trust`);
    const scanned = store.scan(endpoint.host, endpoint.port);
    const trusted = withTrustedHost(store.read(), {
        host: endpoint.host,
        port: endpoint.port,
        scanned,
        ...(values.fingerprint !== undefined ? { fingerprint: values.fingerprint } : {}),
        replace: values.replace === true,
    });
    if (trusted.changed) store.write(trusted.text);
    const listed = scanned.map((key) => `  ${key.keyType} ${fingerprintOf(key.key)}`).join("\n");
    const how = values.fingerprint !== undefined ? "matched the fingerprint given" : "not checked against a fingerprint: compare them with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)";
    print(io, `${trusted.changed ? "recorded" : "already recorded"} in ${store.description}: ${knownHostsName(endpoint.host, endpoint.port)} (${name}), ${how}\n${listed}`);
    return 0;
}

const missingDocker: TenantDockerHostFactory = () => {
    throw new Error("no Docker support is configured");
};

function readRegistry(explicit: string | undefined, io: CliIo, unresolvedEnv: RegistryReadOptions["unresolvedEnv"]): FleetRegistry | undefined {
    const given = explicit ?? io.env.FLEET_REGISTRY;
    const path = resolve(io.cwd, given ?? "fleet.yaml");
    if (!given && !existsSync(path)) return undefined;
    return loadRegistry(path, io.env, given ?? "fleet.yaml", { unresolvedEnv });
}

/** `--from-env A,B`: the values of those variables, for the rotation of a secret of another system; never printed. */
function rotationValuesFrom(values: Values, env: NodeJS.ProcessEnv): { values?: string[] } {
    if (values["from-env"] === undefined) return {};
    const names = values["from-env"].split(",");
    const bad = names.find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
    if (bad !== undefined) throw new FleetUsageError(`--from-env: must be environment variable names, comma-separated (got an invalid name)`);
    const unset = names.find((name) => (env[name] ?? "") === "");
    if (unset !== undefined) throw new FleetUsageError(`--from-env: ${unset} is not set or empty in the environment`);
    return { values: names.map((name) => env[name]!) };
}

function usage(io: CliIo, message: string): number {
    io.stderr.write(`fleet: ${message}\n`);
    return EXIT_USAGE;
}

function reportError(io: CliIo, error: unknown): number {
    if (error instanceof RegistryError || error instanceof TenantConfigError) {
        io.stderr.write(`fleet: ${error.message}\n`);
        return EXIT_USAGE;
    }
    if (error instanceof FleetUsageError || error instanceof StackNotFoundError || error instanceof BackupNotFoundError || error instanceof S3UsageError || error instanceof HostStackRemovalError) {
        io.stderr.write(`fleet: ${error.message}\n`);
        return EXIT_USAGE;
    }
    const known =
        error instanceof StackExistsError ||
        error instanceof StackLockedError ||
        error instanceof OperationFailedError ||
        error instanceof BackupDamagedError ||
        error instanceof S3Error ||
        error instanceof RestoreCheckError ||
        error instanceof UpgradeFailedError ||
        error instanceof DbUpgradeFailedError ||
        error instanceof DrillFailedError ||
        error instanceof HostKeyTrustError;
    const text = error instanceof Error ? (known ? error.message : firstLine(error.message)) : String(error);
    io.stderr.write(`fleet: ${text}\n`);
    return EXIT_FAILED;
}

function print(io: CliIo, text: string): void {
    io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

function printJson(io: CliIo, value: unknown): void {
    io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Runs one operation over many tenants with progress, summary and the exit code of the run. */
async function runMany<T>(
    invocation: Invocation,
    refs: readonly string[],
    operation: string,
    task: (ref: string, context: TaskContext & { onProgress: (p: { done: number; total?: number }) => void }) => Promise<T>,
    note?: (value: unknown) => string,
    /** The engine the stacks are in (the host stacks' for the edge proxies). */
    engine: StackEngine = invocation.fleet.engine,
): Promise<FleetRunReport<T>> {
    const { io, parallel, json } = invocation;
    const reporter = createProgressReporter({ stream: io.stderr, operation, json });
    const onAbort = () => reporter.note(`cancelling in-flight ${operation} operations; the stacks are unlocked before exit (Ctrl-C again to exit at once)`);
    io.signal?.addEventListener("abort", onAbort, { once: true });
    try {
        const report = await runFleet(refs, (ref, context) => task(ref, { ...context, onProgress: (p) => reporter.progress(ref, p) }), {
            parallel,
            ...(io.signal ? { signal: io.signal } : {}),
            cancelInFlight: (ref) => engine.cancel(ref),
            onStart: (ref) => reporter.start(ref),
            onFinish: (result) => reporter.finish(result),
        });
        reporter.close();
        if (!json) print(io, `\n${renderSummary(operation, report, note)}`);
        return report;
    } finally {
        reporter.close();
        io.signal?.removeEventListener("abort", onAbort);
    }
}

/** Prints the JSON summary (text was printed by runMany) and returns the run's exit code. */
function finish(invocation: Invocation, operation: string, report: FleetRunReport): number {
    if (invocation.json) printJson(invocation.io, summaryJson(operation, report));
    return exitCodeFor(report);
}

function changesNote(value: unknown): string {
    const changes = (value as { changes?: Record<string, number> }).changes ?? {};
    return Object.entries(changes)
        .filter(([, count]) => count > 0)
        .map(([op, count]) => `${count} ${op}`)
        .join(", ");
}

function singleRef(invocation: Invocation): string {
    const [ref, ...extra] = invocation.positionals;
    if (ref === undefined) throw new FleetUsageError(`fleet ${invocation.command} needs a tenant ref (see fleet ${invocation.command} --help)`);
    if (extra.length > 0) throw new FleetUsageError(`fleet ${invocation.command} takes one tenant ref (got ${invocation.positionals.join(" ")})`);
    return ref;
}

const COMMAND_HANDLERS: Record<string, (invocation: Invocation) => Promise<number>> = {
    async sync(invocation) {
        const { fleet, io, json, values } = invocation;
        if (!fleet.registry) throw new FleetUsageError("sync needs a registry: create fleet.yaml (see fleet.example.yaml) or pass --registry <file>");
        const plan = await planSync(fleet.engine, fleet.registry);
        const hostEngine = fleet.hostEngine;
        const edgeHosts = [...fleet.registry.hosts.values()].filter((host) => host.edge).map((host) => host.name);
        if (edgeHosts.length > 0 && !hostEngine) throw new Error("hosts with edge: need the host stacks' engine, which this build lacks");
        const hostPlan = hostEngine ? await planHostStacks(hostEngine, fleet.registry, plan.edgeRoutes, plan) : { items: [], desired: new Map() };
        const invalidCode = [...plan.items, ...hostPlan.items].some((item) => item.action === "invalid") ? EXIT_FAILED : 0;
        if (!json) {
            if (hostPlan.items.length > 0) print(io, `${renderHostStackPlan(hostPlan)}\n`);
            print(io, renderSyncPlan(plan));
        }
        const hostJson = hostPlan.items.length > 0 ? { hostStacks: hostPlan.items.map((item) => ({ ...item })) } : {};
        if (values["dry-run"]) {
            if (json) printJson(io, { ...hostJson, plan: syncPlanJson(plan) });
            return invalidCode;
        }
        // Host stacks first: their routes name the tenants, and a tenant behind a proxy needs it up.
        const hostRefs = hostPlan.items.filter((item) => item.action === "create" || item.action === "update").map((item) => item.host);
        const hostsApplied = hostRefs.length > 0 ? await runMany(invocation, hostRefs, "sync host stacks", (host) => applyHostStackItem(hostEngine!, hostPlan, host), undefined, hostEngine) : undefined;
        const applied = await runMany(invocation, refsToApply(plan), "sync", (ref) => applySyncItem(fleet.engine, plan, ref));
        let code = Math.max(exitCodeFor(applied), invalidCode, hostsApplied ? exitCodeFor(hostsApplied) : 0);
        let upReport: FleetRunReport | undefined;
        let hostUpReport: FleetRunReport | undefined;
        if (values.up && !applied.interrupted && !hostsApplied?.interrupted) {
            const failedHosts = new Set([...(hostsApplied?.results ?? []).filter((r) => r.outcome !== "succeeded").map((r) => r.ref), ...hostPlan.items.filter((item) => item.action === "invalid").map((item) => item.host)]);
            const hostsToUp = hostStacksToDeploy(hostPlan).filter((host) => !failedHosts.has(host));
            if (hostsToUp.length > 0) {
                hostUpReport = await runMany(invocation, hostsToUp, "up host stacks", (host, context) => hostEngine!.up(host, { ...(context.signal ? { signal: context.signal } : {}) }), changesNote, hostEngine);
                code = Math.max(code, exitCodeFor(hostUpReport));
                for (const result of hostUpReport.results) if (result.outcome !== "succeeded") failedHosts.add(result.ref);
            }
            // Also the registry's stacks that hold nothing yet (created earlier, or an up that failed).
            const undeployed = plan.items.filter((item) => item.action === "unchanged" && !plan.deployed.has(item.ref)).map((item) => item.ref);
            const changed = [...applied.results.filter((r) => r.outcome === "succeeded").map((r) => r.ref), ...undeployed];
            // A tenant behind a proxy that did not come up would fail on its edge check: it waits for the next sync.
            const waiting = changed.filter((ref) => failedHosts.has(plan.items.find((item) => item.ref === ref)?.host ?? ""));
            if (waiting.length > 0) {
                print(io, `not deployed, their host stack is not up: ${waiting.join(", ")}`);
                code = Math.max(code, EXIT_FAILED);
            }
            if (!hostUpReport?.interrupted) {
                upReport = await runMany(invocation, changed.filter((ref) => !waiting.includes(ref)), "up", (ref, context) => fleet.up(ref, context), changesNote);
                code = Math.max(code, exitCodeFor(upReport));
            }
        }
        if (json) {
            printJson(io, {
                ...hostJson,
                plan: syncPlanJson(plan),
                sync: summaryJson("sync", applied),
                ...(hostUpReport ? { hostUp: summaryJson("up", hostUpReport) } : {}),
                ...(upReport ? { up: summaryJson("up", upReport) } : {}),
            });
        }
        return code;
    },

    async create(invocation) {
        const { fleet, io, json, values } = invocation;
        const ref = singleRef(invocation);
        const created = await fleet.create(ref, { ...(values.host ? { hostName: values.host } : {}), skipDockerCheck: values["config-only"] === true });
        if (!json) {
            const ports = Object.entries(created.ports)
                .map(([key, port]) => `${key}=${port}${created.allocatedPorts.includes(key as never) ? " (allocated)" : ""}`)
                .join(", ");
            print(io, `created ${ref} on host ${created.host} (${created.dockerHost}): ${ports}`);
            if (created.unmanaged) print(io, `note: ${ref} is not in ${fleet.registry!.source}; sync will report it as unmanaged`);
        }
        if (values["config-only"]) {
            if (json) printJson(io, { created });
            return 0;
        }
        const report = await runMany(invocation, [ref], "up", (r, context) => fleet.up(r, context), changesNote);
        if (json) printJson(io, { created, up: summaryJson("up", report) });
        if (report.results[0]?.outcome !== "succeeded" && !json) {
            io.stderr.write(`fleet: ${ref} was created but its first deployment did not finish; it shows as FAILED until "fleet up ${ref}" succeeds\n`);
        }
        return exitCodeFor(report);
    },

    async up(invocation) {
        const refs = await invocation.fleet.resolveRefs(invocation.positionals, invocation.values.all === true);
        return finish(invocation, "up", await runMany(invocation, refs, "up", (ref, context) => invocation.fleet.up(ref, context), changesNote));
    },

    async refresh(invocation) {
        const refs = await invocation.fleet.resolveRefs(invocation.positionals, invocation.values.all === true);
        return finish(invocation, "refresh", await runMany(invocation, refs, "refresh", (ref, context) => invocation.fleet.refresh(ref, context), changesNote));
    },

    async preview(invocation) {
        const { fleet, io, json, values } = invocation;
        const refs = await fleet.resolveRefs(invocation.positionals, values.all === true);
        const diff = values.diff === true;
        const engineEvents = new Map<string, StackPreview["events"]>();
        const releases = new Map<string, string>();
        const report = await runMany<StackPreview>(
            invocation,
            refs,
            "preview",
            async (ref, context) => {
                const preview = await fleet.preview(ref, diff, context);
                if (values.comment) {
                    engineEvents.set(ref, preview.events);
                    releases.set(ref, releaseOfStack(await fleet.engine.getConfig(ref)));
                }
                // The summary JSON carries the steps, not the raw events (those are for library users).
                return { ...preview, events: [] };
            },
            (value) => changesNote({ changes: (value as StackPreview).changeSummary }) || "no changes",
        );
        if (values.comment) {
            const commentPath = resolve(io.cwd, values.comment);
            writeFileSync(commentPath, renderFleetPreviewComment(report.results.map((result) => tenantPreviewFor(result, engineEvents, releases))));
            if (!json) print(io, `wrote the pull-request comment for ${report.results.length} tenant(s) to ${values.comment}`);
        }
        if (!json) {
            const blocks = report.results.filter((r) => r.value !== undefined).map((r) => renderPreview(r.value!, diff));
            if (blocks.length > 0) print(io, `\n${blocks.join("\n\n")}`);
        }
        return finish(invocation, "preview", report);
    },

    async destroy(invocation) {
        const { fleet, io, values } = invocation;
        const ref = singleRef(invocation);
        await fleet.requireStack(ref);
        if (!values.yes) {
            throw new FleetUsageError(
                `destroy removes every container, the network and the stack of ${ref}; ${values["delete-data"] ? "with --delete-data also its data volumes (irreversible)" : `data volumes are kept, and the stack's secrets go with the stack: to bring ${ref} back on its data later, first save them with "fleet outputs ${ref} --show-secrets"`}. Add --yes to confirm`,
            );
        }
        const report = await runMany(invocation, [ref], "destroy", (r, context) => fleet.destroy(r, values["delete-data"] === true, context), (value) => {
            const destroyed = value as DestroyedTenant;
            const left = destroyed.logFolderLeft ? `; its empty log folder ${destroyed.logFolderLeft} is left on the host` : "";
            const retried = destroyed.firstTryError ? `; done on the second try (the first failed: ${destroyed.firstTryError})` : "";
            return `${changesNote(value)}; stack removed; data ${destroyed.dataDeleted ? "deleted" : "kept"}${left}${retried}`;
        });
        if (!invocation.json && report.results[0]?.outcome === "succeeded" && !values["delete-data"]) {
            print(io, `the data volumes of ${ref} were kept on its Docker host; a tenant created again as ${ref} on that host reuses them, once its postgresPassword and jwtSecret are set to the saved values`);
        }
        return finish(invocation, "destroy", report);
    },

    async "destroy-host"(invocation) {
        const { fleet, io, positionals, values } = invocation;
        const name = positionals[0]!;
        if (!fleet.hostEngine) throw new Error("the host stacks' engine is not available in this build");
        const dockerHost = await checkHostStackRemovable(fleet.hostEngine, fleet.engine, fleet.registry, name);
        if (!values.yes) throw new FleetUsageError(`destroy-host removes the edge proxy, the edge network and the routes of host stack ${name} (${dockerHost}); its data volume ${EDGE_DATA_VOLUME} (certificates, ACME account) is kept. Add --yes to confirm`);
        const report = await runMany(invocation, [name], "destroy host stack", async (host, context) => {
            const outcome = await fleet.hostEngine!.destroy(host, context);
            await fleet.hostEngine!.removeStack(host);
            return outcome;
        }, (value) => `${changesNote(value)}; stack removed; ${EDGE_DATA_VOLUME} kept on ${dockerHost}`, fleet.hostEngine);
        if (!invocation.json && report.results[0]?.outcome === "succeeded") print(io, `the certificates stay in ${EDGE_DATA_VOLUME} on ${dockerHost}; docker volume rm ${EDGE_DATA_VOLUME} there removes them`);
        return finish(invocation, "destroy-host", report);
    },

    async pause(invocation) {
        const ref = singleRef(invocation);
        await invocation.fleet.pause(ref);
        if (invocation.json) printJson(invocation.io, { ref, paused: true });
        else print(invocation.io, `${ref} paused: containers stopped, data kept; fleet resume ${ref} starts it again`);
        return 0;
    },

    async resume(invocation) {
        const ref = singleRef(invocation);
        await invocation.fleet.resume(ref);
        if (invocation.json) printJson(invocation.io, { ref, paused: false });
        else print(invocation.io, `${ref} resumed: containers started in order; fleet status ${ref} shows their health`);
        return 0;
    },

    async status(invocation) {
        const { fleet, io, json, positionals, parallel } = invocation;
        const refs = positionals.length > 0 ? await fleet.resolveRefs(positionals, false) : (await fleet.engine.listStacks()).map((s) => s.ref);
        const statuses = await collectStatus(fleet, refs, parallel);
        if (json) printJson(io, statuses);
        else print(io, statuses.length ? renderStatus(statuses) : `no tenants in ${fleet.engine.backendDescription}`);
        return 0;
    },

    async orphans(invocation) {
        const orphans = await invocation.fleet.orphans();
        if (invocation.json) printJson(invocation.io, orphans);
        else if (orphans.length === 0) print(invocation.io, "no orphans: every labelled tenant on the known Docker hosts has a stack");
        else {
            print(invocation.io, renderTable(["TENANT", "DOCKER HOST"], orphans.map((orphan) => [orphan.ref, orphan.dockerHost])));
            print(invocation.io, "\nthese tenants have containers, networks or kept data volumes but no stack; nothing was changed");
        }
        return 0;
    },

    async list(invocation) {
        const entries = await listTenants(invocation.fleet);
        if (invocation.json) printJson(invocation.io, entries);
        else print(invocation.io, entries.length ? renderList(entries) : `no tenants in ${invocation.fleet.engine.backendDescription}`);
        return 0;
    },

    async hosts(invocation) {
        const listing = await listHosts(invocation.fleet, invocation.knownHosts?.read() ?? "");
        if (invocation.json) printJson(invocation.io, listing);
        else print(invocation.io, renderHosts(listing, invocation.fleet.registry?.source ?? "fleet.yaml"));
        return 0;
    },

    async info(invocation) {
        const ref = singleRef(invocation);
        const info = await tenantInfo(invocation.fleet, ref, invocation.values["show-secrets"] === true);
        if (invocation.json) printJson(invocation.io, info);
        else print(invocation.io, renderTenantInfo(info));
        return 0;
    },

    async logs(invocation) {
        const { fleet, io, json, positionals, values } = invocation;
        const [ref, service] = positionals as [string, string | undefined];
        const options = logOptionsFrom(service, values, Date.now(), io.signal);
        await fleet.logs(ref, options, (line) => io.stdout.write(json ? `${JSON.stringify(line)}\n` : renderLogLine(line)));
        return io.signal?.aborted ? 130 : 0;
    },

    async backup(invocation) {
        const { fleet, io, values } = invocation;
        const refs = await fleet.resolveRefs(invocation.positionals, values.all === true);
        const store = backupStoreFrom(values, io.env, io.cwd);
        const retention = retentionFrom(values) as Exclude<ReturnType<typeof retentionFrom>, string>;
        const report = await runMany<BackupOutcome>(invocation, refs, "backup", (ref, context) => backupTenant(fleet, store, ref, retention, context), (value) => {
            const outcome = value as BackupOutcome;
            return `${outcome.id}, ${formatBytes(outcome.bytes)} in ${(outcome.durationMs / 1000).toFixed(1)}s${outcome.removed.length ? `; removed ${outcome.removed.length} older` : ""}`;
        });
        if (!invocation.json && report.results.some((r) => r.outcome === "succeeded")) print(io, `backups are in ${store.location} (fleet backups <ref> lists them)`);
        return finish(invocation, "backup", report);
    },

    async backups(invocation) {
        const { io, values } = invocation;
        const ref = singleRef(invocation);
        const store = backupStoreFrom(values, io.env, io.cwd);
        const listing = backupListing(await store.list(ref), Date.now());
        if (invocation.json) printJson(io, listing);
        else print(io, renderBackupListing(ref, listing, store.location));
        return 0;
    },

    async restore(invocation) {
        const { fleet, io, values } = invocation;
        const source = singleRef(invocation);
        const store = backupStoreFrom(values, io.env, io.cwd);
        await store.find(source, values.from!); // a missing backup and an existing target are usage errors, before the run
        if (values["in-place"]) {
            const planned = await planInPlaceRestore(fleet, store, source, values.from!);
            const report = await runMany<InPlaceRestoreOutcome>(invocation, [source], "restore", (_ref, context) => restoreInPlace(fleet, store, planned, context), (value) => {
                const outcome = value as InPlaceRestoreOutcome;
                return `${outcome.tablesChecked} tables and ${outcome.filesChecked} files match backup ${outcome.backup}; ${outcome.keptVolume} is kept until fleet upgrade-db ${source} --confirm (--rollback goes back to it)`;
            });
            return finish(invocation, "restore", report);
        }
        const into = await checkRestoreTarget(fleet, { source, ...(values.into ? { into: values.into } : {}) });
        let outcome: Awaited<ReturnType<typeof restoreTenant>> | undefined;
        const report = await runMany(invocation, [into], "restore", async (_ref, context) => {
            outcome = await restoreTenant(fleet, store, { source, from: values.from!, ...(values.into ? { into: values.into } : {}), ...(values.host ? { hostName: values.host } : {}) }, context);
            return outcome;
        }, () => (outcome ? `${outcome.tablesChecked} tables and ${outcome.filesChecked} files match backup ${outcome.backup}` : ""));
        if (invocation.json) printJson(io, { ...summaryJson("restore", report), ...(outcome ? { restore: outcome } : {}) });
        else if (outcome) print(io, `${into} holds backup ${outcome.backup} of ${source}; fleet info ${into} shows how to reach it`);
        return exitCodeFor(report);
    },

    async drill(invocation) {
        const { fleet, io, values } = invocation;
        const source = singleRef(invocation);
        const store = backupStoreFrom(values, io.env, io.cwd);
        let outcome: Awaited<ReturnType<typeof drillTenant>> | undefined;
        const report = await runMany(invocation, [source], "drill", async (_ref, context) => {
            outcome = await drillTenant(fleet, store, { source, from: values.from ?? "latest", ...(values.host ? { hostName: values.host } : {}) }, context);
            return outcome;
        }, () => {
            if (!outcome) return "";
            const signIn = "email" in outcome.signIn ? `a restored user signed in through auth` : `sign-in not tried: ${outcome.signIn.skipped}`;
            return `backup ${outcome.backup} restores: ${outcome.tablesChecked} tables, ${outcome.filesChecked} files; ${signIn}; scratch tenant removed`;
        });
        if (invocation.json) printJson(io, { ...summaryJson("drill", report), ...(outcome ? { drill: outcome } : {}) });
        return exitCodeFor(report);
    },

    async rotate(invocation) {
        const { fleet, io, values } = invocation;
        const [ref, what] = invocation.positionals as [string, string];
        const secret = parseRotatable(what);
        const options = { preview: values.preview === true, ...rotationValuesFrom(values, io.env), ...(values.provider !== undefined ? { provider: values.provider } : {}) };
        const preview = options.preview;
        await checkRotation(fleet, ref, secret, options); // usage errors before the operation
        let outcome: RotationOutcome | undefined;
        const report = await runMany(invocation, [ref], preview ? "preview" : "rotate", async (_ref, context) => {
            outcome = await rotateSecret(fleet, ref, secret, options, context);
            return outcome;
        }, () => (outcome && "up" in outcome ? changesNote(outcome.up) : ""));
        const restarts = outcome && "restarts" in outcome ? outcome.restarts : undefined;
        if (invocation.json) printJson(io, { ...summaryJson("rotate", report), ...(restarts ? { restarts } : {}) });
        else if (restarts) print(io, `rotating ${secret} of ${ref} would restart ${restarts.length ? restarts.join(", ") : "nothing"} (read by ${ROTATABLE_SECRETS[secret].readBy}); nothing was changed`);
        else if (outcome) print(io, rotatedMessage(ref, secret));
        return exitCodeFor(report);
    },

    async upgrade(invocation) {
        const { fleet, io, json, values } = invocation;
        const release = parseRelease(values.release);
        const refs = await fleet.resolveRefs(invocation.positionals, values.all === true);
        const plan = await planUpgrade(fleet, release, refs); // usage errors before anything changes
        if (!json && plan.current.length) print(io, `already on ${release}: ${plan.current.join(", ")}`);
        if (plan.items.length === 0) {
            if (json) printJson(io, { release, current: plan.current, waves: [] });
            else print(io, `nothing to upgrade`);
            return 0;
        }
        const byRef = new Map(plan.items.map((item) => [item.ref, item]));
        if (values.preview) {
            const report = await runMany<UpgradePreview>(invocation, plan.items.map((item) => item.ref), "preview", (ref, context) => previewUpgrade(fleet, byRef.get(ref)!, context), (value) =>
                changesNote({ changes: (value as UpgradePreview).preview.changeSummary }) || "no changes",
            );
            const previews = report.results.flatMap((result) => (result.value ? [result.value] : []));
            if (json) printJson(io, { ...summaryJson("preview", report), release, current: plan.current, previews: previews.map(({ preview, ...rest }) => ({ ...rest, changeSummary: preview.changeSummary })) });
            else if (previews.length) print(io, `\n${previews.map(renderUpgradePreview).join("\n\n")}\n\nnothing was changed`);
            return exitCodeFor(report);
        }
        const waves = upgradeWaves(plan.items, values.canary === undefined ? undefined : Number(values.canary));
        const reports: FleetRunReport<UpgradeOutcome>[] = [];
        let failed: string | undefined;
        for (const [index, wave] of waves.entries()) {
            if (failed !== undefined || io.signal?.aborted) break;
            if (!json) print(io, `wave ${index + 1} of ${waves.length}${index === 0 && waves.length > 1 ? " (canary)" : ""}: ${wave.map((item) => item.ref).join(", ")} to ${release}`);
            const report = await runMany<UpgradeOutcome>(invocation, wave.map((item) => item.ref), "upgrade", async (ref, context) => {
                // Stop at the first failure: a tenant of the wave that has not started yet stays where it is.
                if (failed !== undefined) throw new UpgradeHeldError(ref, failed);
                try {
                    return await upgradeTenant(fleet, byRef.get(ref)!, context);
                } catch (error) {
                    failed ??= ref;
                    throw error;
                }
            }, (value) => `${(value as UpgradeOutcome).from} to ${(value as UpgradeOutcome).to}: ${changesNote(value)}`);
            reports.push(report);
        }
        const started = new Set(reports.flatMap((report) => report.results.map((result) => result.ref)));
        const notStarted = plan.items.filter((item) => !started.has(item.ref)).map((item) => item.ref);
        if (!json && notStarted.length) print(io, `not upgraded (${failed !== undefined ? `the upgrade of ${failed} failed` : "the run was cancelled"}): ${notStarted.join(", ")} stay${notStarted.length === 1 ? "s" : ""} on ${notStarted.map((ref) => byRef.get(ref)!.from).filter((from, i, all) => all.indexOf(from) === i).join(", ")}`);
        const results = reports.flatMap((report) => report.results);
        if (json) printJson(io, { release, current: plan.current, waves: waves.map((wave) => wave.map((item) => item.ref)), notStarted, results });
        return results.every((result) => result.outcome === "succeeded") && notStarted.length === 0 ? 0 : EXIT_FAILED;
    },

    async "upgrade-db"(invocation) {
        const { fleet, io, json, values } = invocation;
        const ref = singleRef(invocation);
        if (values.rollback || values.confirm) {
            const what = values.rollback ? "rollback" : "confirm";
            await generations(fleet, ref, values.rollback ? "roll back to" : "confirm"); // usage errors before the run
            const report = await runMany<object>(invocation, [ref], `upgrade-db --${what}`, (r, context) => (values.rollback ? rollbackDb(fleet, r, context) : confirmDb(fleet, r, context)), (value) =>
                "removedVolume" in (value as object) ? `removed ${(value as { removedVolume: string }).removedVolume}` : `runs ${(value as { to: string }).to}; ${(value as { keptVolume: string }).keptVolume} is kept until --confirm`,
            );
            return finish(invocation, `upgrade-db --${what}`, report);
        }
        const plan = await planDbUpgrade(fleet, ref); // usage errors before anything changes
        const problems = await dbUpgradePreflight(fleet, plan);
        if (values.preview || problems.length) {
            if (json) printJson(io, { ...plan, problems });
            else {
                print(io, [`${ref}: Postgres ${plan.from.postgresMajor} on ${plan.fromVolume} to Postgres ${plan.to.postgresMajor} on ${plan.toVolume} (${plan.dbImage})`, "  a fresh backup first; the services stop while it is restored into the new volume; the old volume is kept until --confirm", ...problems.map((problem) => `  refused: ${problem}`)].join("\n"));
                if (!problems.length) print(io, "nothing was changed");
            }
            return problems.length ? EXIT_USAGE : 0;
        }
        const store = backupStoreFrom(values, io.env, io.cwd);
        const report = await runMany<DbUpgradeOutcome>(invocation, [ref], "upgrade-db", (_ref, context) => upgradeDb(fleet, store, plan, context), (value) => {
            const outcome = value as DbUpgradeOutcome;
            return `${outcome.from} to ${outcome.to}, ${outcome.tablesChecked} tables checked (backup ${outcome.backup}); ${outcome.keptVolume} is kept until --confirm`;
        });
        return finish(invocation, "upgrade-db", report);
    },

    async move(invocation) {
        const { fleet, io, json, values } = invocation;
        const ref = singleRef(invocation);
        if (values.confirm) {
            const report = await runMany<object>(invocation, [ref], "move --confirm", () => confirmMove(fleet, ref), (value) => {
                const confirmed = value as Awaited<ReturnType<typeof confirmMove>>;
                return `removed ${confirmed.removedVolumes.length} volume(s) from ${confirmed.host}`;
            });
            return finish(invocation, "move --confirm", report);
        }
        const plan = await planMove(fleet, ref, values.to!); // usage errors before anything changes
        if (values.preview) {
            if (json) printJson(io, { ref, from: plan.from.name, to: plan.to.name, fromPorts: plan.fromPorts, toPorts: plan.toPorts });
            else print(io, [...describeMove(plan), "nothing was changed"].join("\n"));
            return 0;
        }
        const store = backupStoreFrom(values, io.env, io.cwd);
        const report = await runMany<MoveOutcome>(invocation, [ref], "move", (_ref, context) => moveTenant(fleet, store, plan, context), (value) => {
            const moved = value as MoveOutcome;
            return `${moved.from} to ${moved.to}, ${moved.tablesChecked} tables checked (backup ${moved.backup}); ${moved.keptVolumes.length} volume(s) kept on ${moved.from} until --confirm`;
        });
        return finish(invocation, "move", report);
    },

    async outputs(invocation) {
        const ref = singleRef(invocation);
        const outputs = await invocation.fleet.outputs(ref, invocation.values["show-secrets"] === true);
        if (invocation.json) {
            printJson(invocation.io, Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value])));
        } else {
            const rows = Object.entries(outputs).map(([key, output]) => [key, typeof output.value === "string" ? output.value : JSON.stringify(output.value)]);
            print(invocation.io, rows.length ? renderTable(["OUTPUT", "VALUE"], rows) : `${ref} has no outputs (not deployed yet?)`);
        }
        return 0;
    },
};

function renderUpgradePreview(preview: UpgradePreview): string {
    return [
        `${preview.ref}: ${preview.from} to ${preview.to}`,
        `  db image: ${preview.dbImage}`,
        `  restarts: ${preview.restarts.length ? preview.restarts.join(", ") : "nothing"}`,
        `  changes: ${changesNote({ changes: preview.preview.changeSummary }) || "none"}`,
        ...preview.notes.map((note) => `  risk: ${note}`),
    ].join("\n");
}

/** One tenant of the pull-request comment: its engine events, or why its preview did not finish. */
function tenantPreviewFor(
    result: TenantRunResult<StackPreview>,
    engineEvents: ReadonlyMap<string, StackPreview["events"]>,
    releases: ReadonlyMap<string, string>,
): TenantPreview {
    if (result.outcome !== "succeeded" || result.value === undefined) {
        return { ref: result.ref, status: "failed", error: result.message ?? result.outcome };
    }
    const release = releases.get(result.ref);
    return { ref: result.ref, status: "ok", events: engineEvents.get(result.ref) ?? [], summary: result.value.changeSummary, ...(release ? { release } : {}) };
}
