/**
 * envoy-check, the validator of rendered Envoy configs that `npm run envoy-check` builds from
 * toolchain/go/envoy-check: go-control-plane's protos and validate rules plus Envoy's load-time
 * cross-checks, with no Envoy binary. scripts/build-envoy-check.sh points the symlink below at the
 * binary built from the current module.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const ENVOY_CHECK_LINK = join(process.env.SUPABASE_FLEET_CACHE ?? join(homedir(), ".cache", "supabase-fleet"), "tools", "envoy-check");

/**
 * The envoy-check binary, or undefined when it was not built here (a test then skips). Under CI a
 * missing binary throws instead: .ci/run builds it, so its absence is a broken run, not a skip.
 */
export function envoyCheckBinary(): string | undefined {
    try {
        accessSync(ENVOY_CHECK_LINK, constants.X_OK); // follows the symlink: a dangling one fails too
        return ENVOY_CHECK_LINK;
    } catch {
        if (process.env.CI === "true") throw new Error(`no envoy-check at ${ENVOY_CHECK_LINK}: run \`npm run envoy-check\` to build it`);
        return undefined;
    }
}

/**
 * Checks the bootstrap at bootstrapPath (a path on this machine, such as `<root>/etc/envoy/envoy.yaml`);
 * the CDS/LDS paths named inside it (/etc/envoy/cds.yaml) are read under root. output is the tool's
 * stdout and stderr: "envoy-check: ok (...)" or one line per error, each naming file and field.
 */
export function runEnvoyCheck(root: string, bootstrapPath: string): { ok: boolean; output: string } {
    const binary = envoyCheckBinary();
    if (binary === undefined) throw new Error(`no envoy-check at ${ENVOY_CHECK_LINK}: run \`npm run envoy-check\` to build it`);
    const run = spawnSync(binary, ["--root", root, bootstrapPath], { encoding: "utf8", timeout: 30_000 });
    if (run.error) throw run.error;
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}
