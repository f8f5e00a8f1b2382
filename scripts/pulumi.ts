/**
 * `npm run pulumi -- <args>`: the Pulumi CLI against this project's backend and passphrase (the same
 * ones `npm run dev:up` and the fleet use), with the project's engine when it is built.
 */
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { prepareBackend, resolveBackend } from "../stacks/fleet/backend.js";
import { buildProgram, ProgramBuildError, runsProgram } from "../stacks/engine/buildProgram.js";
import { isHelpFlag, setUpProcess } from "../stacks/cli/process.js";
import { locateToolchain, MissingPulumiCliError } from "../stacks/engine/toolchain.js";

setUpProcess();

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);

// Only a first --help is ours: `npm run pulumi -- up --help` is the Pulumi CLI's own help.
if (isHelpFlag(args[0]) || args.length === 0) {
    process.stdout.write(
        "usage: npm run pulumi -- <pulumi arguments>\n" +
            "Runs the Pulumi CLI in this project with its state backend (.pulumi-state/ unless PULUMI_BACKEND_URL is set)\n" +
            "and its generated passphrase, so that e.g. `npm run pulumi -- stack output -s dev` sees the stacks dev:up made.\n" +
            "Commands that run the program (up, preview, refresh, destroy, ...) build it first.\n" +
            "`npm run pulumi -- --which` says which CLI it runs.\n",
    );
    process.exit(args.length === 0 ? 2 : 0);
}

try {
    const toolchain = locateToolchain();
    if (args[0] === "--which") {
        // Used by dev:up to fail before building anything when there is no CLI.
        process.stdout.write(`${toolchain.description}\n`);
        process.exit(0);
    }
    if (runsProgram(args)) buildProgram(repoRoot);
    const backend = resolveBackend(repoRoot, process.env);
    prepareBackend(backend);
    const result = spawnSync("pulumi", args, { cwd: repoRoot, stdio: "inherit", env: { ...process.env, ...toolchain.env, ...backend.envVars } });
    process.exitCode = result.status ?? 1;
} catch (error) {
    if (error instanceof MissingPulumiCliError || error instanceof ProgramBuildError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 1;
    } else throw error;
}
