/** Spawning the real entry points as a user does, through npm, for the command-line tests. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));

export interface Finished {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Without DEBUG, so a developer's environment does not turn on stack traces. */
export function quietEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const { DEBUG: _debug, ...env } = process.env;
    return { ...env, ...extra };
}

/**
 * Runs `command args` in the repo. With `closeStdout`, the reading end of stdout is closed at once, so
 * every write the child makes meets a closed pipe (deterministic, unlike `| head`, whose pipe buffer
 * may take the whole output).
 */
export function run(command: string, args: readonly string[], options: { closeStdout?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: REPO, env: options.env ?? quietEnv(), stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        if (options.closeStdout) child.stdout.destroy();
        else child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

export function npmRun(script: string, args: readonly string[], options: { closeStdout?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
    return run("npm", ["run", "--silent", script, "--", ...args], options);
}
