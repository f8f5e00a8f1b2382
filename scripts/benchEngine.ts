/**
 * `npm run bench`: the real engine's times against a floor measured in the same run, written to
 * docs/benchmarks.md. Needs the engine (npm run toolchain), Docker and the local images.
 *   floor        `pulumi preview` of a stack that declares nothing (same CLI, backend and language host)
 *   modules      the same, with the program's modules loaded (SDKs, components) and nothing registered:
 *                the part of a tenant preview that is loading code, not declaring resources
 *   preview      `pulumi preview` of the dev tenant before it exists (48 creates)
 *   first up     `pulumi up` of the dev tenant with the local images, split into the time containers
 *                spent becoming healthy (Docker's health state timestamps) and everything else
 *   no-op up     `pulumi up` of the deployed tenant with nothing to change (with and without --skip-preview)
 *   fleet        `fleet preview` of one tenant, and `fleet preview --all` of 10 tenants at parallelism
 *                1, 2 and 4 (stacks created by `fleet sync` in a copy of the project, never deployed)
 * Medians over --runs runs (default 5; first up runs once, then the tenant is destroyed; the fleet
 * previews run at most 3 times each).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { exitIfHelp, setUpProcess } from "../stacks/cli/process.js";
import { locateToolchain } from "../stacks/engine/toolchain.js";
import { freshProjectCopy } from "./projectCopy.js";

const repo = fileURLToPath(new URL("../", import.meta.url));
const runsAt = process.argv.indexOf("--runs");
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
const TARGET_RATIO = 1.5;
/** Ten tenants previewed by the fleet in at most this many times one tenant's time. */
const FLEET_TARGET_RATIO = 4;
const NOTES_MARKER = "<!-- notes: kept by npm run bench -->";
setUpProcess();
exitIfHelp(
    process.argv.slice(2),
    "usage: npm run bench [-- --runs N]\nThe real engine's times against a floor, written to docs/benchmarks.md; needs the engine\n" +
        "(npm run toolchain), Docker and the local images (npm run images). See the comment at the top of scripts/benchEngine.ts.",
);

const toolchain = locateToolchain();
const work = mkdtempSync(join(tmpdir(), "fleet-bench-"));
const env = { ...process.env, ...toolchain.env, PULUMI_BACKEND_URL: `file://${work}/state`, PULUMI_CONFIG_PASSPHRASE: "bench" };
mkdirSync(join(work, "state"));

function timed(cwd: string, args: string[]): number {
    const started = performance.now();
    const result = spawnSync("pulumi", [...args, "--non-interactive"], { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
    if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${result.stdout.slice(-3000)}${result.stderr.slice(-2000)}`);
    return (performance.now() - started) / 1000;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A project whose program is `source` (ES module) and declares nothing itself. */
function bareProject(name: string, source: string): string {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.js\n`);
    writeFileSync(join(dir, "package.json"), `{"name":"${name}","type":"module","main":"index.js"}\n`);
    writeFileSync(join(dir, "index.js"), source);
    symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
    timed(dir, ["stack", "init", name]);
    return dir;
}

spawnSync("npm", ["run", "--silent", "build"], { cwd: repo, stdio: "inherit" });
// The floor: the same runtime and language host, a program that registers nothing.
const empty = bareProject("floor", 'import "@pulumi/pulumi";\n');
// The floor plus loading everything the tenant program loads (the component imports the SDKs and all services).
const modules = bareProject("modules", `import ${JSON.stringify(join(repo, "dist", "components", "supabaseProject.js"))};\n`);
timed(repo, ["stack", "init", "bench-dev", "--secrets-provider", "passphrase"]);
// The dev tenant's settings under a stack name of its own (its containers are named dev-*: the dev stack must not be up).
copyFileSync(join(repo, "Pulumi.dev.yaml"), join(repo, "Pulumi.bench-dev.yaml"));

const floor: number[] = [];
const loaded: number[] = [];
const preview: number[] = [];
for (let i = 0; i < RUNS; i += 1) {
    floor.push(timed(empty, ["preview", "-s", "floor"]));
    loaded.push(timed(modules, ["preview", "-s", "modules"]));
    preview.push(timed(repo, ["preview", "-s", "bench-dev"]));
}
const firstUp = timed(repo, ["up", "-s", "bench-dev", "--yes"]);
const health = spawnSync("bash", ["-c", "docker ps -q --filter label=supabase-fleet.tenant=dev | xargs docker inspect --format '{{json .State.StartedAt}} {{json (index .State.Health.Log 0).End}}'"], { encoding: "utf8" });
// Seconds from the first container start to the last container's first passing check: the waiting.
const stamps = health.stdout.trim().split("\n").flatMap((line) => line.split(" ").map((t) => Date.parse(JSON.parse(t) as string)));
const healthWait = (Math.max(...stamps) - Math.min(...stamps)) / 1000;
const noopUp: number[] = [];
const noopUpSkipPreview: number[] = [];
for (let i = 0; i < RUNS; i += 1) {
    noopUp.push(timed(repo, ["up", "-s", "bench-dev", "--yes"]));
    // Without the preview pass `up` runs first: the program and every diff once instead of twice.
    noopUpSkipPreview.push(timed(repo, ["up", "-s", "bench-dev", "--yes", "--skip-preview"]));
}
timed(repo, ["destroy", "-s", "bench-dev", "--yes"]);
timed(repo, ["stack", "rm", "bench-dev", "--yes"]);
rmSync(join(repo, "Pulumi.bench-dev.yaml"), { force: true });
spawnSync("bash", ["-c", "docker volume ls -q --filter label=supabase-fleet.tenant=dev | xargs -r docker volume rm"]);

// The fleet: 10 tenant stacks made by `fleet sync` in a copy of the project, previewed, never deployed.
const FLEET_SIZE = 10;
const FLEET_PARALLELISM = [1, 2, 4] as const;
const FLEET_RUNS = Math.min(RUNS, 3);
const fleetProject = freshProjectCopy(repo, "fleet-bench-");
const tenants = Array.from({ length: FLEET_SIZE }, (_, i) => `bench${String(i + 1).padStart(2, "0")}`);
writeFileSync(
    join(fleetProject, "fleet.yaml"),
    `defaults:\n  authEmailAutoconfirm: true\nhosts:\n  local:\n    dockerHost: unix:///var/run/docker.sock\n    portRange: { from: 56000, to: 56999 }\ntenants:\n${tenants.map((ref) => `  - ref: ${ref}\n`).join("")}`,
);
mkdirSync(join(work, "fleet-state"));
const fleetEnv = { ...process.env, PULUMI_BACKEND_URL: `file://${work}/fleet-state`, PULUMI_CONFIG_PASSPHRASE: "bench" };
function fleet(args: string[]): number {
    const started = performance.now();
    const result = spawnSync("node", ["--import", "tsx", "stacks/cli/fleet.ts", ...args], { cwd: fleetProject, env: fleetEnv, encoding: "utf8", maxBuffer: 64 << 20 });
    if (result.status !== 0) throw new Error(`fleet ${args.join(" ")} failed:\n${result.stdout.slice(-3000)}${result.stderr.slice(-2000)}`);
    return (performance.now() - started) / 1000;
}
fleet(["sync"]); // also builds the copy's program once
const fleetOne: number[] = [];
const fleetAll = new Map<number, number[]>(FLEET_PARALLELISM.map((n) => [n, []]));
for (let i = 0; i < FLEET_RUNS; i += 1) {
    fleetOne.push(fleet(["preview", tenants[0]!]));
    for (const n of FLEET_PARALLELISM) fleetAll.get(n)!.push(fleet(["preview", "--all", "--parallel", String(n)]));
}
rmSync(fleetProject, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });

const f = median(floor);
const verdict = (ratio: number, target: number) => ` ≤ ${target}x: ${ratio <= target ? "met" : "**missed**"}`;
const row = (name: string, seconds: number, target?: number) => `| ${name} | ${seconds.toFixed(2)} s | ${(seconds / f).toFixed(2)}x |${target ? verdict(seconds / f, target) : ""} |`;
const one = median(fleetOne);
const fleetRow = (n: number) => {
    const seconds = median(fleetAll.get(n)!);
    return `| fleet preview --all, ${FLEET_SIZE} tenants, --parallel ${n} | ${seconds.toFixed(2)} s | ${(seconds / one).toFixed(2)}x one tenant |${verdict(seconds / one, FLEET_TARGET_RATIO)} |`;
};
const table = [
    "# Real-engine benchmark",
    "",
    `Written by \`npm run bench\` (scripts/benchEngine.ts) with ${toolchain.description}, ${cpus().length} cores. Medians of ${RUNS} runs (fleet rows: ${FLEET_RUNS}), floor measured in the same run,`,
    "interleaved with the tenant preview. The tenant is the dev stack's settings on the local images (`npm run images`).",
    "The offline plan has its own benchmark: [benchmarks-plan.md](benchmarks-plan.md) (`npm run bench:plan`).",
    "",
    "| measurement | time | vs floor | target |",
    "|---|---|---|---|",
    row("floor: preview of a stack that declares nothing", f),
    row("floor with the program's modules loaded, nothing declared", median(loaded)),
    row("tenant preview (48 resources to create)", median(preview), TARGET_RATIO),
    row("no-op up of the deployed tenant", median(noopUp), TARGET_RATIO),
    row("no-op up --skip-preview", median(noopUpSkipPreview), TARGET_RATIO),
    row("first up of the tenant (one run)", firstUp),
    `| of which containers becoming healthy (first start to last first passing check) | ${healthWait.toFixed(2)} s | | |`,
    `| of which everything else | ${(firstUp - healthWait).toFixed(2)} s | | |`,
    "",
    "| fleet measurement | time | vs one tenant | target |",
    "|---|---|---|---|",
    `| fleet preview of one tenant (the whole command) | ${one.toFixed(2)} s | 1.00x | |`,
    ...FLEET_PARALLELISM.map(fleetRow),
    "",
];
// Hand-written analysis below the marker survives a new run.
const outPath = join(repo, "docs", "benchmarks.md");
const previous = existsSync(outPath) ? readFileSync(outPath, "utf8") : "";
const notes = previous.includes(NOTES_MARKER) ? previous.slice(previous.indexOf(NOTES_MARKER)) : `${NOTES_MARKER}\n`;
writeFileSync(outPath, `${table.join("\n")}\n${notes}`);
process.stdout.write(`${table.join("\n")}\n`);
