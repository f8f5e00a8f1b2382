/**
 * What the end-to-end suites need around the real engine: a fresh copy of the project (as a new user
 * would have it), commands run in it through the project's own wrappers, and Docker inspection.
 * Nothing here is skipped for lack of a tool under CI=true: `requireEngine` fails instead.
 */
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { SERVICE_NAMES } from "../../../components/catalog.js";
import { RELEASES } from "../../../components/releases.js";

/**
 * The release most of the end-to-end suite deploys; the fleet suite also runs a 0.8.2 tenant on the
 * Postgres 17 image (Debian trixie's PostgreSQL, see test/e2e/images/build.sh).
 */
export const E2E_RELEASE = RELEASES["feb-2026"];
import { freshProjectCopy as copyProject } from "../../../scripts/projectCopy.js";
import { locateToolchain } from "../../../stacks/engine/toolchain.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export interface RunResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): RunResult {
    const result = spawnSync(command, args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        encoding: "utf8",
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
        ...(options.input !== undefined ? { input: options.input } : {}),
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The fleet CLI of a project copy, as `npm run fleet --` runs it (tsx on stacks/cli/fleet.ts), without
 * npm in between: one Node start less per call, on a CPU-bound CI machine.
 */
export function fleetCli(project: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): RunResult {
    return run(process.execPath, ["--import", "tsx", "stacks/cli/fleet.ts", ...args], { cwd: project, timeoutMs: options.timeoutMs ?? 1_500_000, ...(options.env ? { env: options.env } : {}) });
}

/** The tail of both streams: the message of a failed status check, so a CI failure says why. */
export function transcript(result: RunResult): string {
    return `exited ${result.status}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`;
}

/** Expects the command to have succeeded, with its transcript as the message. */
export function expectOk(result: RunResult): void {
    expect(result.status, transcript(result)).toBe(0);
}

/** Runs and returns stdout; throws with both streams when the command fails. */
export function runOk(command: string, args: readonly string[], options: Parameters<typeof run>[2] = {}): string {
    const result = run(command, args, options);
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} ${transcript(result)}`);
    return result.stdout;
}

/** Why the real engine cannot run here (no CLI, no Docker engine, images not built), or null. */
export function engineMissingReason(): string | null {
    try {
        locateToolchain();
    } catch (error) {
        return (error as Error).message;
    }
    if (run("docker", ["info"], { timeoutMs: 20_000 }).status !== 0) return "no Docker engine answers (bash .ci/setup-docker.sh)";
    const images = [...new Set(SERVICE_NAMES.map((service) => E2E_RELEASE.images[service]))];
    const missing = images.filter((image) => run("docker", ["image", "inspect", image], { timeoutMs: 20_000 }).status !== 0);
    if (missing.length > 0) return `local test images missing (${missing.join(", ")}): run npm run images`;
    return null;
}

/** A copy of the project as a new user has it (see scripts/projectCopy.ts). */
export function freshProjectCopy(): string {
    return copyProject(REPO_ROOT);
}

/** `npm run pulumi -- <args>` in a project copy: the project's backend, passphrase and engine. */
export function pulumi(projectDir: string, args: readonly string[], timeoutMs = 900_000): RunResult {
    return run("node", ["--import", "tsx", "scripts/pulumi.ts", ...args], { cwd: projectDir, timeoutMs });
}

export function pulumiOk(projectDir: string, args: readonly string[], timeoutMs = 900_000): string {
    const result = pulumi(projectDir, args, timeoutMs);
    if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${result.status}\n${result.stdout.slice(-6000)}\n${result.stderr.slice(-4000)}`);
    return result.stdout;
}

/** `docker inspect` of one object, parsed. */
export function inspect(kind: "container" | "volume" | "network", name: string): Record<string, any> {
    return (JSON.parse(runOk("docker", [kind, "inspect", name])) as Record<string, any>[])[0]!;
}

/**
 * Removes every Docker object labelled as the tenant's (containers first, then networks and volumes),
 * and any other container that mounts one of its volumes (a test's holder left by an earlier run on
 * this daemon). A volume that stays would carry an earlier run's data into this one: that fails here.
 */
export function removeTenantObjects(ref: string): void {
    const filter = `label=supabase-fleet.tenant=${ref}`;
    const ids = (kind: string, by = filter) => run("docker", [kind, "ls", ...(kind === "container" ? ["-a"] : []), "-q", "--filter", by]).stdout.split("\n").filter(Boolean);
    // Labelled, or named as the tenant's volumes are (one made by hand has no label). Docker's name
    // filter matches anywhere in the name, so the prefix is checked here.
    const tenantVolumes = () => [...new Set([...ids("volume"), ...runOk("docker", ["volume", "ls", "-q"]).split("\n").filter((name) => name.startsWith(`${ref}-`))])];
    const volumes = tenantVolumes();
    const containers = [...new Set([...ids("container"), ...volumes.flatMap((volume) => ids("container", `volume=${volume}`))])];
    if (containers.length) run("docker", ["rm", "-f", ...containers]);
    const networks = ids("network");
    if (networks.length) run("docker", ["network", "rm", ...networks]);
    if (volumes.length) run("docker", ["volume", "rm", "-f", ...volumes]);
    const left = tenantVolumes();
    if (left.length) throw new Error(`volumes of ${ref} from an earlier run could not be removed: ${left.join(", ")}`);
}

/** The defaults of every end-to-end registry: the e2e release, no mail server, no analytics. */
export const E2E_DEFAULTS = `
defaults:
  release: ${E2E_RELEASE.name}
  authEmailAutoconfirm: true
  analyticsEnabled: false
`;

/** The fleet CLI in a project copy, and a variant that throws with both streams unless it exits 0. */
export function fleetRunners(project: () => string) {
    const fleet = (...args: string[]) => fleetCli(project(), args);
    const fleetOk = (...args: string[]) => {
        const result = fleet(...args);
        if (result.status !== 0) throw new Error(`fleet ${args.join(" ")} ${transcript(result)}`);
        return result.stdout;
    };
    return { fleet, fleetOk };
}

/**
 * A fleet registry for an end-to-end file: its tenants on the local Docker host, on the e2e release,
 * with ports from a range no other file uses (the files run side by side).
 */
export function e2eRegistry(refs: readonly string[], portRange: { from: number; to: number }): string {
    return `${E2E_DEFAULTS}hosts:
  local:
    dockerHost: unix:///var/run/docker.sock
    portRange: { from: ${portRange.from}, to: ${portRange.to} }
    bindAddress: 127.0.0.1
tenants:
${refs.map((ref) => `  - ref: ${ref}\n    host: local`).join("\n")}
`;
}

export interface AuthAnswer {
    readonly status: number;
    readonly body: Record<string, any>;
}

/**
 * POSTs JSON to a tenant's auth service from inside its network (curl from the db image). A 5xx or a
 * 429 is asked again, for up to `busyForMs`: on the CI machine three end-to-end files start tenants on
 * two cores, and a GoTrue that just turned healthy may time a request out. Any other answer is final.
 */
export function authPost(ref: string, path: string, body: unknown, options: { busyForMs?: number } = {}): AuthAnswer {
    const deadline = Date.now() + (options.busyForMs ?? 60_000);
    for (;;) {
        const out = runOk("docker", ["run", "--rm", "--network", `${ref}-network`, "--entrypoint", "curl", E2E_RELEASE.images.db, "-sS", "-w", "\n%{http_code}", "-X", "POST", `http://auth:9999${path}`, "-H", "Content-Type: application/json", "-d", JSON.stringify(body)]);
        const cut = out.lastIndexOf("\n");
        const answer = { status: Number(out.slice(cut + 1)), body: JSON.parse(out.slice(0, cut) || "{}") as Record<string, any> };
        if ((answer.status < 500 && answer.status !== 429) || Date.now() >= deadline) return answer;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
    }
}

/** What an auth answer says, for an assertion's message: the status and GoTrue's error fields, never a token. */
export function authAnswerSummary(answer: AuthAnswer): string {
    const { code, error_code: errorCode, msg, error, error_description: description } = answer.body;
    return `HTTP ${answer.status} ${JSON.stringify({ code, errorCode, msg, error, description })}`;
}
