/**
 * The GitHub workflow files: valid against SchemaStore's workflow schema (@action-validator/core), and thin:
 * they call the project's own commands and configure it only through secrets and Pulumi's variables.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import actionValidator from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const WORKFLOWS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../.github/workflows");
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const read = (file: string) => readFileSync(path.join(WORKFLOWS, file), "utf8");

interface Step {
    uses?: string;
    run?: string;
    if?: string;
    env?: Record<string, string>;
}
interface Job {
    environment?: string;
    env?: Record<string, string>;
    steps: Step[];
}
const jobs = (file: string) => Object.values((parse(read(file)) as { jobs: Record<string, Job> }).jobs);
const runs = (file: string) => jobs(file).flatMap((j) => j.steps.map((s) => s.run ?? ""));

describe("workflow files", () => {
    it("exist", () => {
        expect(files).toEqual(["fleet-backup.yml", "fleet-deploy.yml", "fleet-preview-comment.yml", "fleet-preview.yml"]);
    });

    for (const file of files) {
        it(`${file} is valid against the GitHub workflow schema`, () => {
            expect(actionValidator.validateWorkflow(read(file)).errors).toEqual([]);
        });
    }

    it("the validator does catch a broken workflow", () => {
        const broken = read("fleet-deploy.yml").replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest");
        expect(actionValidator.validateWorkflow(broken).errors.length).toBeGreaterThan(0);
    });
});

describe("pull-request preview", () => {
    const doc = parse(read("fleet-preview.yml")) as { on: Record<string, unknown>; permissions: Record<string, string> };

    it("runs on pull requests with a read-only token", () => {
        expect(Object.keys(doc.on)).toEqual(["pull_request"]);
        expect(doc.permissions).toEqual({ contents: "read" });
    });

    it("installs, tests, then previews live or offline with the project's commands", () => {
        expect(runs("fleet-preview.yml").filter((r) => /^(npm|bash) /m.test(r))).toEqual([
            "bash .ci/run",
            "npm run fleet -- preview --all --comment preview.md",
            expect.stringContaining('npm run plan:diff -- "$RUNNER_TEMP/base/snapshots" snapshots --out preview.md'),
        ]);
        const steps = jobs("fleet-preview.yml")[0]!.steps;
        expect(steps.find((s) => s.run?.includes("fleet -- preview"))!.if).toBe("env.PULUMI_ACCESS_TOKEN != '' || env.PULUMI_BACKEND_URL != ''");
        expect(steps.find((s) => s.run?.includes("plan:diff"))!.if).toBe("env.PULUMI_ACCESS_TOKEN == '' && env.PULUMI_BACKEND_URL == ''");
    });
});

describe("comment workflow", () => {
    it("posts one comment per pull request through the project's command, without running the pull request's code", () => {
        const doc = parse(read("fleet-preview-comment.yml")) as { on: { workflow_run: { workflows: string[] } }; permissions: Record<string, string> };
        expect(doc.on.workflow_run.workflows).toEqual(["Fleet preview"]);
        expect(doc.permissions["pull-requests"]).toBe("write");
        const commands = runs("fleet-preview-comment.yml").join("\n");
        expect(commands).toContain("npx tsx stacks/preview/postComment.ts --pr");
        expect(commands).toContain('--head-sha "$HEAD_SHA"');
        expect(jobs("fleet-preview-comment.yml")[0]!.steps.filter((s) => s.uses?.startsWith("actions/checkout"))).toEqual([{ uses: "actions/checkout@v4" }]);
    });
});

describe("backup", () => {
    it("backs up every tenant nightly with retention, on a runner whose disk keeps the backups", () => {
        const doc = parse(read("fleet-backup.yml")) as { on: { schedule: { cron: string }[] }; jobs: { backup: { "runs-on": string[] } } };
        expect(doc.on.schedule).toHaveLength(1);
        expect(doc.jobs.backup["runs-on"]).toContain("self-hosted");
        expect(runs("fleet-backup.yml").filter((r) => r.startsWith("npm"))).toEqual(["npm ci", "npm run fleet -- backup --all --keep 14 --max-age 30"]);
    });
});

describe("deploy", () => {
    it("runs `up` for the whole fleet on pushes to main behind the production environment", () => {
        const doc = parse(read("fleet-deploy.yml")) as { on: { push: { branches: string[] } } };
        expect(doc.on.push.branches).toEqual(["main"]);
        const [job] = jobs("fleet-deploy.yml");
        expect(job!.environment).toBe("production");
        expect(runs("fleet-deploy.yml").filter((r) => r.startsWith("npm"))).toEqual(["npm ci", "npm run fleet -- up --all"]);
        expect(job!.steps.some((s) => s.uses?.startsWith("pulumi/actions@"))).toBe(true);
    });

    it("takes configuration from repository secrets under the standard variable names", () => {
        for (const file of ["fleet-deploy.yml", "fleet-preview.yml", "fleet-backup.yml"]) {
            const { FLEET_BACKUP_DIR, FLEET_BACKUP_S3, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3, ...env } = jobs(file)[0]!.env ?? {};
            // The backup target: a folder variable, or a bucket with its credentials as secrets.
            expect({ FLEET_BACKUP_DIR, FLEET_BACKUP_S3, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3 }).toEqual(
                file === "fleet-backup.yml"
                    ? {
                          FLEET_BACKUP_DIR: "${{ vars.FLEET_BACKUP_DIR }}",
                          FLEET_BACKUP_S3: "${{ vars.FLEET_BACKUP_S3 }}",
                          AWS_ACCESS_KEY_ID: "${{ secrets.FLEET_BACKUP_AWS_ACCESS_KEY_ID }}",
                          AWS_SECRET_ACCESS_KEY: "${{ secrets.FLEET_BACKUP_AWS_SECRET_ACCESS_KEY }}",
                          AWS_REGION: "${{ vars.FLEET_BACKUP_AWS_REGION }}",
                          AWS_ENDPOINT_URL_S3: "${{ vars.FLEET_BACKUP_S3_ENDPOINT }}",
                      }
                    : { FLEET_BACKUP_DIR: undefined, FLEET_BACKUP_S3: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_REGION: undefined, AWS_ENDPOINT_URL_S3: undefined },
            );
            expect(env).toEqual({
                PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
                PULUMI_BACKEND_URL: "${{ secrets.PULUMI_BACKEND_URL }}",
                PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
                DOCKER_HOST: "${{ secrets.DOCKER_HOST }}",
                DOCKER_SSH_PRIVATE_KEY: "${{ secrets.DOCKER_SSH_PRIVATE_KEY }}",
                DOCKER_SSH_KNOWN_HOSTS: "${{ secrets.DOCKER_SSH_KNOWN_HOSTS }}",
            });
        }
    });
});
