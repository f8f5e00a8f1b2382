/**
 * Every command a user runs answers --help and -h with its usage and exit 0. The list comes from
 * package.json, so a new script without --help fails here unless it is excluded below with a reason.
 */
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../stacks/fleet/cli/help.js";
import { npmRun, quietEnv, REPO, run } from "./spawn.js";

/** Scripts that are not user commands: they take no flags of their own. */
const EXCLUDED: Record<string, string> = {
    build: "runs tsc; its flags are tsc's",
    typecheck: "runs tsc; its flags are tsc's",
    test: "runs vitest; its flags are vitest's",
};

const scripts = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const commands = Object.keys(scripts).filter((name) => !(name in EXCLUDED));

describe("--help and -h", () => {
    it("cover every script but the excluded ones, and the exclusions are real scripts", () => {
        expect(Object.keys(EXCLUDED).every((name) => name in scripts)).toBe(true);
        expect(commands).toEqual(expect.arrayContaining(["plan", "plan:diff", "fleet", "pulumi", "bench", "bench:plan", "bench:backup", "gen:project-config", "dev:up", "toolchain", "images"]));
    });

    for (const name of commands) {
        for (const flag of ["--help", "-h"]) {
            it.concurrent(`npm run ${name} -- ${flag} prints its usage and exits 0`, async () => {
                const result = await npmRun(name, [flag]);
                expect(result.stderr).toBe("");
                expect(result.code).toBe(0);
                expect(result.stdout).toContain(`npm run ${name}`);
            });
        }
    }

    for (const command of Object.keys(COMMANDS)) {
        it.concurrent(`npm run fleet -- ${command} --help prints the command's help and exits 0`, async () => {
            const result = await npmRun("fleet", [command, "--help"]);
            expect(result.code).toBe(0);
            expect(result.stdout).toContain(COMMANDS[command]!.usage);
        });
    }

    // With only bash and the tools the help itself uses on PATH: npm, node, go or docker would fail.
    const shellScripts = commands.map((name) => /^bash (\S+)$/.exec(scripts[name]!)?.[1]).filter((file) => file !== undefined);
    const bare = mkdtempSync(join(tmpdir(), "help-path-"));
    for (const tool of ["bash", "sed", "dirname"]) symlinkSync(`/usr/bin/${tool}`, join(bare, tool));
    for (const file of shellScripts) {
        it.concurrent(`${file} answers --help before doing any work`, async () => {
            const result = await run("/usr/bin/bash", [file, "--help"], { env: quietEnv({ PATH: bare }) });
            expect(result.stderr).toBe("");
            expect(result.code).toBe(0);
            expect(result.stdout).toContain("npm run");
        });
    }
    it("finds the five shell scripts", () => expect(shellScripts).toHaveLength(5));

    // The README's other first command, not an npm script.
    it.concurrent("bash .ci/run answers --help before installing anything", async () => {
        const result = await run("/usr/bin/bash", [".ci/run", "--help"], { env: quietEnv({ PATH: bare }) });
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^usage: bash \.ci\/run\n/);
    });
});
