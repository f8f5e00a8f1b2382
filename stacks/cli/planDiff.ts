/**
 * `npm run plan:diff -- <base-dir> <head-dir> [--out file.md] [--max-length N | --full]`
 * (`--full`: no length limit, for reading locally; GitHub would refuse such a comment)
 *
 * Renders the pull-request comment from two folders of offline plan snapshots (`<stack>.json`), e.g. the
 * `snapshots/` folders of the base and head commits: the fleet preview for when no credentials exist.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadPlanFolder, PlanFolderError, renderPlanDiffComment } from "../preview/index.js";
import { runEntryPoint } from "./process.js";

const USAGE = "usage: npm run plan:diff -- <base-dir> <head-dir> [--out file.md] [--max-length N | --full]";
const HELP = `${USAGE}
Renders the pull-request comment from two folders of offline plan snapshots (<stack>.json, as written by
\`npm run plan -- --all --out <dir>\`), e.g. the snapshots/ folders of the base and head commits.
  --out file.md      write the comment there instead of to stdout
  --max-length N     cut the comment to N characters (5000 to 65535; default 65000, under GitHub's limit)
  --full             no length limit, for reading locally
  -h, --help         this text
Exit codes: 0 rendered; 1 failed; 2 a wrong argument or an unreadable folder.`;

interface Args {
    baseDir: string;
    headDir: string;
    out?: string;
    maxLength?: number;
}

/** Parses the arguments; returns one problem per line on misuse. */
export function parsePlanDiffArgs(argv: string[]): Args | { problems: string[] } {
    const positional: string[] = [];
    const problems: string[] = [];
    let out: string | undefined;
    let maxLength: number | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === "--full") maxLength = Infinity;
        else if (arg === "--out" || arg === "--max-length") {
            const value = argv[i + 1];
            if (value === undefined || value.startsWith("--")) {
                problems.push(`${arg}: needs a value`);
                continue;
            }
            i++;
            if (arg === "--out") out = value;
            else if (/^\d+$/.test(value) && Number(value) >= 5_000 && Number(value) < 65_536) maxLength = Number(value);
            else problems.push(`--max-length: must be a whole number from 5000 to 65535, got "${value}"`);
        } else if (arg.startsWith("--")) problems.push(`${arg}: unknown flag (allowed: --out, --max-length, --full)`);
        else positional.push(arg);
    }
    if (positional.length !== 2) problems.push(`expected exactly two folders, <base-dir> and <head-dir>; got ${positional.length}`);
    if (problems.length > 0) return { problems };
    const args: Args = { baseDir: positional[0]!, headDir: positional[1]! };
    if (out !== undefined) args.out = out;
    if (maxLength !== undefined) args.maxLength = maxLength;
    return args;
}

async function main(argv: string[]): Promise<number> {
    const args = parsePlanDiffArgs(argv);
    if ("problems" in args) {
        for (const problem of args.problems) console.error(`plan:diff: ${problem}`);
        console.error(USAGE);
        return 2;
    }
    try {
        const [base, head] = await Promise.all([loadPlanFolder(args.baseDir), loadPlanFolder(args.headDir)]);
        const comment = renderPlanDiffComment(base, head, args.maxLength === undefined ? {} : { maxLength: args.maxLength });
        if (args.out) {
            await writeFile(args.out, comment);
            console.error(`plan:diff: wrote ${args.out} (${comment.length} characters, ${new Set([...base.keys(), ...head.keys()]).size} tenants)`);
        } else process.stdout.write(comment);
        return 0;
    } catch (error) {
        if (error instanceof PlanFolderError) {
            for (const problem of error.problems) console.error(`plan:diff: ${problem}`);
            return 2;
        }
        console.error(`plan:diff: ${(error as Error).message}`);
        return 1;
    }
}

// Run only as a script, so tests can import parsePlanDiffArgs.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    await runEntryPoint(main, { usage: HELP });
}
