import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram, ProgramBuildError, runsProgram } from "../../stacks/engine/buildProgram.js";

/** A checkout whose build script appends a line to build.log, so a test can count builds. */
function fakeCheckout(buildCommand = "mkdir -p dist && echo built >> build.log"): string {
    const root = mkdtempSync(join(tmpdir(), "build-program-"));
    writeFileSync(join(root, "package.json"), JSON.stringify({ scripts: { build: buildCommand } }));
    writeFileSync(join(root, "index.ts"), "export {};\n");
    mkdirSync(join(root, "components", "services"), { recursive: true });
    writeFileSync(join(root, "components", "services", "db.ts"), "export {};\n");
    return root;
}
const builds = (root: string) => readFileSync(join(root, "build.log"), "utf8").trim().split("\n").length;

describe("buildProgram", () => {
    it("builds once, reuses an up-to-date build, and builds again after a source changes", () => {
        const root = fakeCheckout();
        buildProgram(root);
        buildProgram(root);
        expect(builds(root)).toBe(1);
        const later = Date.now() / 1000 + 5;
        utimesSync(join(root, "components", "services", "db.ts"), later, later);
        buildProgram(root);
        expect(builds(root)).toBe(2);
    }, 60_000);

    it("reports a failed build with its output", () => {
        const root = fakeCheckout("echo 'index.ts(1,1): error TS1005' && exit 2");
        expect(() => buildProgram(root)).toThrow(ProgramBuildError);
        expect(() => buildProgram(root)).toThrow(/npm run build\):\nindex.ts\(1,1\): error TS1005/);
    }, 60_000);
});

describe("runsProgram", () => {
    it.each([
        [["up", "-s", "dev", "--yes"], true],
        [["-s", "dev", "preview", "--json"], true],
        [["refresh", "--yes"], true],
        [["stack", "output", "-s", "dev"], false],
        [["config", "set", "supabase-fleet:ref", "dev"], false],
        [["--version"], false],
    ])("%j runs the program: %s", (args, expected) => {
        expect(runsProgram(args)).toBe(expected);
    });
});
