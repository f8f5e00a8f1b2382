import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OPAQUE_SECRET } from "../../components/config/constants.js";
import { PlanError } from "../../stacks/plan/errors.js";
import { listStacks, readProjectFile, readStackConfig } from "../../stacks/plan/stackConfig.js";

let dir: string;
const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
const errorOf = (action: () => unknown): PlanError => {
    try {
        action();
    } catch (error) {
        if (error instanceof PlanError) return error;
        throw error;
    }
    throw new Error("expected a PlanError");
};

beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "plan-config-"));
    write(
        "Pulumi.yaml",
        [
            "name: supabase-fleet",
            "runtime: nodejs",
            "config:",
            "  supabase-fleet:kongHttpPort:",
            "    type: integer",
            "    description: Host port.",
            "    default: 8000",
            "  supabase-fleet:analyticsEnabled:",
            "    type: boolean",
            "    default: true",
            "  supabase-fleet:additionalRedirectUrls:",
            "    type: array",
            "    default: []",
            "  supabase-fleet:smtpHost:",
            "    type: string",
            "    description: No default, so not passed.",
            "  siteUrl: http://localhost:3000",
        ].join("\n"),
    );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("readProjectFile", () => {
    it("takes the project name and the declared defaults, bare keys in the project's namespace", () => {
        expect(readProjectFile(dir)).toEqual({
            name: "supabase-fleet",
            configDefaults: {
                "supabase-fleet:kongHttpPort": 8000,
                "supabase-fleet:analyticsEnabled": true,
                "supabase-fleet:additionalRedirectUrls": [],
                "supabase-fleet:siteUrl": "http://localhost:3000",
            },
        });
    });

    it("fails with one line when Pulumi.yaml is missing", () => {
        rmSync(join(dir, "Pulumi.yaml"));
        const error = errorOf(() => readProjectFile(dir));
        expect(error.message).toBe(`no Pulumi.yaml in ${dir}: run the plan from the project directory`);
        expect(error.exitCode).toBe(1);
    });
});

describe("readStackConfig", () => {
    it("overrides defaults with the stack's values, as text the way the CLI passes them", () => {
        write(
            "Pulumi.a.yaml",
            [
                "config:",
                "  supabase-fleet:kongHttpPort: 8100",
                "  supabase-fleet:analyticsEnabled: false",
                "  supabase-fleet:additionalRedirectUrls: [https://a.example.com]",
                "  docker:host: unix:///var/run/docker.sock",
            ].join("\n"),
        );
        expect(readStackConfig(dir, readProjectFile(dir), "a")).toEqual({
            stack: "a",
            config: {
                "supabase-fleet:kongHttpPort": "8100",
                "supabase-fleet:analyticsEnabled": "false",
                "supabase-fleet:additionalRedirectUrls": '["https://a.example.com"]',
                "supabase-fleet:siteUrl": "http://localhost:3000",
                "docker:host": "unix:///var/run/docker.sock",
            },
            secretKeys: [],
        });
    });

    it("turns secure values into the opaque secret and lists their keys as secret, never decrypting", () => {
        write(
            "Pulumi.b.yaml",
            [
                "encryptionsalt: v1:abc:def",
                "config:",
                "  supabase-fleet:smtpPassword:",
                "    secure: v1:AAAA:BBBBciphertext",
                "  supabase-fleet:authOAuthClientSecrets:",
                "    - secure: v1:CCCC:DDDDciphertext",
            ].join("\n"),
        );
        const { config, secretKeys } = readStackConfig(dir, readProjectFile(dir), "b");
        expect(config["supabase-fleet:smtpPassword"]).toBe(OPAQUE_SECRET);
        expect(config["supabase-fleet:authOAuthClientSecrets"]).toBe(OPAQUE_SECRET);
        expect(secretKeys).toEqual(["supabase-fleet:authOAuthClientSecrets", "supabase-fleet:smtpPassword"]);
        expect(JSON.stringify(config)).not.toContain("ciphertext");
    });

    it("accepts a stack file without a config section", () => {
        write("Pulumi.empty.yaml", "");
        expect(readStackConfig(dir, readProjectFile(dir), "empty").config["supabase-fleet:kongHttpPort"]).toBe("8000");
    });

    it("reports an unknown stack as a usage error naming the stacks that exist", () => {
        write("Pulumi.dev.yaml", "config: {}\n");
        const error = errorOf(() => readStackConfig(dir, readProjectFile(dir), "prod"));
        expect(error.message).toBe(`unknown stack "prod": there is no Pulumi.prod.yaml in ${dir} (stacks: dev)`);
        expect(error.exitCode).toBe(2);
    });

    it("refuses a stack name that could escape the directory", () => {
        const error = errorOf(() => readStackConfig(dir, readProjectFile(dir), "../etc"));
        expect(error.message).toBe('invalid stack name "../etc": stack names are letters, digits, "-", "_" and "."');
        expect(error.exitCode).toBe(2);
    });

    it("reports malformed YAML with the file, line and column, in one line", () => {
        write("Pulumi.bad.yaml", "config:\n  supabase-fleet:siteUrl: [unclosed\n  x: y\n");
        const error = errorOf(() => readStackConfig(dir, readProjectFile(dir), "bad"));
        expect(error.message).toMatch(/^Pulumi\.bad\.yaml: malformed YAML: .+ at line \d+, column \d+$/);
        expect(error.exitCode).toBe(1);
    });

    it("reports keys without a namespace and keys without a value, one line each", () => {
        write("Pulumi.c.yaml", "config:\n  kongHttpPort: 8100\n  supabase-fleet:siteUrl:\n");
        const error = errorOf(() => readStackConfig(dir, readProjectFile(dir), "c"));
        expect(error.message.split("\n")).toEqual([
            'Pulumi.c.yaml: config key "kongHttpPort" must be "<namespace>:<key>" of printable characters, for example "supabase-fleet:kongHttpPort"',
            'Pulumi.c.yaml: config key "supabase-fleet:siteUrl" has no value; give it one or remove the line',
        ]);
    });
});

describe("listStacks", () => {
    it("lists every Pulumi.<stack>.yaml, sorted, and not the project file", () => {
        write("Pulumi.zeta.yaml", "");
        write("Pulumi.acme.yaml", "");
        write("Pulumi.dev.yml", "");
        write("notes.yaml", "");
        expect(listStacks(dir)).toEqual(["acme", "dev", "zeta"]);
    });
});
