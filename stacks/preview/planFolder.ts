/** Reads a folder of offline plan snapshots (`<stack>.json`) and checks each has the plan's shape. */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { HOST_STACK_CONFIG_DIR } from "../../components/hostServices/catalog.js";
import type { PlanDocument } from "./fromPlan.js";
import { isPlainObject } from "./values.js";

export class PlanFolderError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "PlanFolderError";
    }
}

/**
 * Stack name -> plan, and `hosts/<host>` -> plan for the host stacks in the `hosts/` subfolder (as
 * `npm run plan -- --all --out <dir>` writes them). Throws PlanFolderError listing every unreadable or
 * malformed file.
 */
export async function loadPlanFolder(dir: string): Promise<Map<string, PlanDocument>> {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new PlanFolderError([`${dir}: not a folder (expected a folder of plan snapshots <stack>.json)`]);
    const plans = new Map<string, PlanDocument>();
    const problems: string[] = [];
    const hostsDir = path.join(dir, HOST_STACK_CONFIG_DIR);
    const hostFiles = (await stat(hostsDir).catch(() => undefined))?.isDirectory() ? (await readdir(hostsDir)).map((file) => `${HOST_STACK_CONFIG_DIR}/${file}`) : [];
    for (const file of [...(await readdir(dir)), ...hostFiles].filter((f) => f.endsWith(".json")).sort()) {
        const where = path.join(dir, file);
        let parsed: unknown;
        try {
            parsed = JSON.parse(await readFile(where, "utf8"));
        } catch (error) {
            problems.push(`${where}: not valid JSON (${(error as Error).message})`);
            continue;
        }
        const shapeProblem = planShapeProblem(parsed);
        if (shapeProblem) problems.push(`${where}: ${shapeProblem}`);
        else plans.set(file.slice(0, -".json".length), parsed as PlanDocument);
    }
    if (problems.length > 0) throw new PlanFolderError(problems);
    return plans;
}

function planShapeProblem(value: unknown): string | undefined {
    if (!isPlainObject(value)) return "expected an object with stack, project, resources and outputs";
    if (typeof value["stack"] !== "string") return "`stack` must be a string";
    if (!Array.isArray(value["resources"])) return "`resources` must be an array";
    for (const [i, r] of value["resources"].entries()) {
        if (!isPlainObject(r) || typeof r["type"] !== "string" || typeof r["name"] !== "string" || !isPlainObject(r["inputs"])) {
            return `resources[${i}] must have string \`type\` and \`name\` and an object \`inputs\``;
        }
    }
    return undefined;
}
