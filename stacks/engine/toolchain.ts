/**
 * Which Pulumi CLI the project's commands run, and with what environment. The project's own engine
 * (built from Go modules by `npm run toolchain`, for machines that cannot download it) is used when
 * it has been built; otherwise the `pulumi` on the PATH (the official installer's). Every command
 * that runs the CLI (dev:up, `npm run pulumi`, the fleet, the tests) asks this one module.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

export interface PulumiToolchain {
    /** Folder whose bin/ holds `pulumi` (the Automation API's PulumiCommand root), or undefined for the PATH's. */
    readonly root?: string;
    /** Variables to add to the CLI's environment. */
    readonly env: Readonly<Record<string, string>>;
    readonly description: string;
}

/** Where `npm run toolchain` keeps its builds (outside the clone, keyed by what they are built from). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
    return env.SUPABASE_FLEET_CACHE || join(homedir(), ".cache", "supabase-fleet");
}

/** The project's own engine, when `npm run toolchain` has built it. */
export function projectToolchainRoot(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const root = join(cacheDir(env), "toolchain", "current");
    return existsSync(join(root, ".complete")) ? root : undefined;
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
    return (env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, program)));
}

/** Both ways to get the engine, and the command that needs neither: the user's next step, whatever the machine. */
export const MISSING_CLI_MESSAGE =
    "the Pulumi CLI was not found. Get it one of two ways: with internet, the official installer " +
    "(`curl -fsSL https://get.pulumi.com | sh && ~/.pulumi/bin/pulumi version`: the pipe hides a failed download, " +
    "the version check shows it; then a new shell, so that ~/.pulumi/bin is on PATH); " +
    "without, the project's own build (`npm run toolchain`, which needs nothing beyond the Go module proxy). " +
    "The offline plan needs neither: `npm run plan -- --stack dev`.";

export class MissingPulumiCliError extends Error {
    constructor() {
        super(MISSING_CLI_MESSAGE);
        this.name = "MissingPulumiCliError";
    }
}

/** The CLI to run, or a MissingPulumiCliError that says both ways to get one. */
export function locateToolchain(env: NodeJS.ProcessEnv = process.env): PulumiToolchain {
    const root = projectToolchainRoot(env);
    if (root) {
        return {
            root,
            description: `the project's engine in ${root}`,
            env: {
                PATH: `${join(root, "bin")}${delimiter}${env.PATH ?? ""}`,
                PULUMI_HOME: join(root, "home"),
                // Offline: never look for updates or plugins anywhere but the project's plugin folder.
                PULUMI_SKIP_UPDATE_CHECK: "true",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
                PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
            },
        };
    }
    if (onPath("pulumi", env)) return { description: "pulumi on the PATH", env: {} };
    throw new MissingPulumiCliError();
}
