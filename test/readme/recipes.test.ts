/**
 * The README's "Adding a tenant" recipes work exactly as written: each fenced block marked
 * `<!-- recipe: <name> -->` runs with bash in a fresh copy of the project, and afterwards the copy's
 * own snapshot guard (test/plan/snapshots.test.ts, what `npm test` demands of a new stack) passes.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listStacks } from "../../stacks/plan/runPlan.js";
import { freshProjectCopy } from "../../scripts/projectCopy.js";
import { quietEnv, REPO, type Finished } from "../cli/spawn.js";
import { engineAvailable } from "../support/engine.js";

interface Recipe {
    readonly name: string;
    /** A recipe that continues another one runs after it in the same copy. */
    readonly after?: string;
    readonly script: string;
}

/** Every `<!-- recipe: name [(after other)] -->` followed by a fenced sh block. */
function extractRecipes(markdown: string): Recipe[] {
    const pattern = /<!-- recipe: ([a-z-]+)(?: \(after ([a-z-]+)\))? -->\n```sh\n([\s\S]*?)```/g;
    return [...markdown.matchAll(pattern)].map(([, name, after, script]) => ({ name: name!, ...(after ? { after } : {}), script: script! }));
}

const recipes = extractRecipes(readFileSync(join(REPO, "README.md"), "utf8"));
const byName = new Map(recipes.map((recipe) => [recipe.name, recipe]));

const engine = engineAvailable();
const NEEDS_ENGINE = ["add-tenant-fleet", "add-tenant-secret"];

/** The caller's Pulumi and fleet settings would point the copy at another backend or registry. */
function userEnv(): NodeJS.ProcessEnv {
    const env = quietEnv();
    for (const key of Object.keys(env)) if (/^PULUMI_(BACKEND_URL|CONFIG_PASSPHRASE|ACCESS_TOKEN|SECRETS_PROVIDER)/.test(key) || key === "FLEET_REGISTRY") delete env[key];
    return env;
}

function bash(script: string, cwd: string): Promise<Finished> {
    return new Promise((resolve, reject) => {
        const child = spawn("bash", ["-euo", "pipefail", "-c", script], { cwd, env: userEnv(), stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

const copies: string[] = [];
afterAll(() => {
    for (const copy of copies) rmSync(copy, { recursive: true, force: true });
});

/** Runs the recipe (after the one it continues) in a fresh copy; returns the copy. */
async function runRecipe(name: string): Promise<string> {
    const chain: Recipe[] = [];
    for (let recipe = byName.get(name); recipe; recipe = recipe.after ? byName.get(recipe.after) : undefined) chain.unshift(recipe);
    const copy = freshProjectCopy(REPO, "readme-recipe-");
    copies.push(copy);
    for (const recipe of chain) {
        const result = await bash(recipe.script, copy);
        expect(result.code, `recipe ${recipe.name} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
    }
    return copy;
}

describe("the README's recipes", () => {
    it("are all there, each continuing a recipe that exists", () => {
        expect(recipes.map((recipe) => recipe.name).sort()).toEqual(["add-tenant-by-hand", "add-tenant-fleet", "add-tenant-secret"]);
        for (const recipe of recipes) if (recipe.after) expect(byName.has(recipe.after), recipe.name).toBe(true);
    });

    const repoStacks = listStacks(REPO);
    for (const recipe of recipes) {
        const skip = NEEDS_ENGINE.includes(recipe.name) && !engine;
        it.skipIf(skip)(`${recipe.name} adds one tenant that plans and passes the snapshot guard${skip ? " (skipped: no Pulumi CLI; npm run toolchain or the official installer)" : ""}`, { timeout: 240_000 }, async () => {
            const copy = await runRecipe(recipe.name);
            const added = listStacks(copy).filter((stack) => !repoStacks.includes(stack));
            expect(added).toHaveLength(1);
            expect(readFileSync(join(copy, "snapshots", `${added[0]}.json`), "utf8")).toContain(`"stack": "${added[0]}"`);
            const guard = await bash("npx vitest run test/plan/snapshots.test.ts", copy);
            expect(guard.code, `npm test's snapshot guard fails after the recipe:\n${guard.stdout}\n${guard.stderr}`).toBe(0);
        });
    }
});
