/**
 * The project's own Pulumi engine: its pinned versions are the ones the npm SDKs ask for, and a tiny
 * stack with one resource of each plugin goes up and is destroyed with no plugin warning, version
 * mismatch or download attempt.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { locateToolchain } from "../../stacks/engine/toolchain.js";
import { REPO_ROOT, engineMissingReason, expectOk, run } from "./support/workspace.js";

const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
const pinned = Object.fromEntries(
    readFileSync(join(REPO_ROOT, "toolchain", "versions.env"), "utf8")
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => line.split("=") as [string, string]),
);

describe("toolchain pins", () => {
    it("stamp the CLI and each plugin with the version its npm SDK in package-lock.json asks for", () => {
        expect(pinned).toEqual({
            PULUMI_VERSION: lock.packages["node_modules/@pulumi/pulumi"]!.version,
            DOCKER_PLUGIN_VERSION: lock.packages["node_modules/@pulumi/docker"]!.version,
            RANDOM_PLUGIN_VERSION: lock.packages["node_modules/@pulumi/random"]!.version,
            COMMAND_PLUGIN_VERSION: lock.packages["node_modules/@pulumi/command"]!.version,
        });
    });
});

const missing = engineMissingReason();
describe.skipIf(missing !== null && process.env.CI !== "true")("the engine on a file backend", () => {
    it("runs up and destroy of one resource per plugin without a warning or a download", () => {
        if (missing) throw new Error(`CI=true but the real engine cannot run: ${missing}`);
        const dir = mkdtempSync(join(tmpdir(), "fleet-smoke-"));
        writeFileSync(join(dir, "Pulumi.yaml"), "name: smoke\nruntime: nodejs\nmain: index.js\n");
        writeFileSync(join(dir, "package.json"), '{"name":"smoke","main":"index.js"}\n');
        symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
        const network = `fleet-smoke-${process.pid}`;
        writeFileSync(
            join(dir, "index.js"),
            [
                'const random = require("@pulumi/random"), command = require("@pulumi/command"), docker = require("@pulumi/docker");',
                'const password = new random.RandomPassword("p", { length: 24, special: false });',
                'const echo = new command.local.Command("c", { create: "printf %s \\"$GREETING\\"", environment: { GREETING: "hello" } });',
                `const net = new docker.Network("n", { name: "${network}" });`,
                "exports.length = password.result.apply((r) => r.length); exports.stdout = echo.stdout; exports.network = net.name;",
            ].join("\n"),
        );
        const toolchain = locateToolchain();
        const env = { ...toolchain.env, PULUMI_BACKEND_URL: `file://${dir}/state`, PULUMI_CONFIG_PASSPHRASE: "smoke" };
        mkdirSync(join(dir, "state"));
        const pulumi = (...args: string[]) => run("pulumi", [...args, "--non-interactive"], { cwd: dir, env, timeoutMs: 300_000 });
        expectOk(pulumi("stack", "init", "smoke"));
        const up = pulumi("up", "--yes");
        const all = up.stdout + up.stderr;
        expect(up.status, all).toBe(0);
        expect(all).not.toMatch(/from \$PATH|is expected to have version|Downloading plugin|download|A new version of Pulumi/i);
        const outputs = JSON.parse(pulumi("stack", "output", "--json", "--show-secrets").stdout);
        expect(outputs).toEqual({ length: 24, stdout: "hello", network });
        expectOk(run("docker", ["network", "inspect", network]));
        expectOk(pulumi("destroy", "--yes"));
        expect(run("docker", ["network", "inspect", network]).status).not.toBe(0);
    }, 300_000);
});
