/**
 * `npm run bench:engine`: the real engine's times against a floor measured in the same run, written to
 * docs/benchmarks-engine.md. Needs the engine (npm run toolchain), Docker and the local images.
 *   floor        `pulumi preview` of a stack that declares nothing (same CLI, backend and language host)
 *   preview      `pulumi preview` of the dev tenant before it exists (48 creates)
 *   first up     `pulumi up` of the dev tenant with the local images, split into the time containers
 *                spent becoming healthy (Docker's health state timestamps) and everything else
 *   no-op up     `pulumi up` of the deployed tenant with nothing to change (with and without --skip-preview)
 * Medians over --runs runs (default 5; first up runs once, then the tenant is destroyed).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { locateToolchain } from "../stacks/engine/toolchain.js";

const repo = fileURLToPath(new URL("../", import.meta.url));
const runsAt = process.argv.indexOf("--runs");
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
const TARGET_RATIO = 1.5;
if (process.argv.includes("--help")) {
    process.stdout.write("usage: npm run bench:engine [-- --runs N]\nWrites docs/benchmarks-engine.md (see the comment at the top of scripts/benchEngine.ts).\n");
    process.exit(0);
}

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

// The floor: the same runtime and language host, a program that registers nothing.
const empty = join(work, "empty");
mkdirSync(empty);
writeFileSync(join(empty, "Pulumi.yaml"), "name: floor\nruntime: nodejs\nmain: index.js\n");
writeFileSync(join(empty, "package.json"), '{"name":"floor","main":"index.js"}\n');
writeFileSync(join(empty, "index.js"), 'require("@pulumi/pulumi");\n');
symlinkSync(join(repo, "node_modules"), join(empty, "node_modules"));
timed(empty, ["stack", "init", "floor"]);

spawnSync("npm", ["run", "--silent", "build"], { cwd: repo, stdio: "inherit" });
timed(repo, ["stack", "init", "bench-dev", "--secrets-provider", "passphrase"]);
// The dev tenant's settings under a stack name of its own (its containers are named dev-*: the dev stack must not be up).
copyFileSync(join(repo, "Pulumi.dev.yaml"), join(repo, "Pulumi.bench-dev.yaml"));

const floor: number[] = [];
const preview: number[] = [];
for (let i = 0; i < RUNS; i += 1) {
    floor.push(timed(empty, ["preview", "-s", "floor"]));
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
rmSync(work, { recursive: true, force: true });

const f = median(floor);
const row = (name: string, seconds: number, target?: number) =>
    `| ${name} | ${seconds.toFixed(2)} s | ${(seconds / f).toFixed(2)}x |${target ? ` ≤ ${target}x: ${seconds / f <= target ? "met" : "**missed**"}` : ""} |`;
const table = [
    "# Real-engine benchmark",
    "",
    `Written by \`npm run bench:engine\` (scripts/benchEngine.ts) with ${toolchain.description}, ${cpus().length} cores. Medians of ${RUNS} runs, floor measured in the same run,`,
    "interleaved with the tenant preview. The tenant is the dev stack's settings on the local images (`npm run images`).",
    "",
    "| measurement | time | vs floor | target |",
    "|---|---|---|---|",
    row("floor: preview of a stack that declares nothing", f),
    row("tenant preview (48 resources to create)", median(preview), TARGET_RATIO),
    row("no-op up of the deployed tenant", median(noopUp), TARGET_RATIO),
    row("no-op up --skip-preview", median(noopUpSkipPreview), TARGET_RATIO),
    row("first up of the tenant (one run)", firstUp),
    `| of which containers becoming healthy (first start to last first passing check) | ${healthWait.toFixed(2)} s | | |`,
    `| of which everything else | ${(firstUp - healthWait).toFixed(2)} s | | |`,
    "",
];
writeFileSync(join(repo, "docs", "benchmarks-engine.md"), `${table.join("\n")}\n`);
process.stdout.write(`${table.join("\n")}\n`);
