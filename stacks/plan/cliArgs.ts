/** Flags of `npm run plan`. Every mistake is one line naming the flag and what is allowed. */
import { parseArgs } from "node:util";
import { PlanError } from "./errors.js";

export interface PlanCliArgs {
    readonly help: boolean;
    /** Stacks named with --stack, in the order given; empty with --all. */
    readonly stacks: string[];
    readonly all: boolean;
    readonly json: boolean;
    readonly out?: string;
    readonly projectDir?: string;
    readonly verbose: boolean;
}

export const PLAN_USAGE = `Usage: npm run plan -- (--stack <name> ... | --all) [--json] [--out <dir>] [--project-dir <dir>] [--verbose]

Shows a stack's desired state, computed offline: the real program runs under Pulumi's mocks with
the stack's config file (Pulumi.<name>.yaml). No Pulumi CLI, no passphrase, no Docker needed.

  --stack <name>       a stack to plan; repeat for several
  --all                every stack (every Pulumi.<name>.yaml), then every host stack (every
                       hosts/Pulumi.<host>.yaml: a Docker host's edge proxy)
  --json               print the plan document (JSON; an array of documents for several stacks)
  --out <dir>          write <dir>/<stack>.json per stack, and <dir>/hosts/<host>.json per host
                       stack, instead of printing (with --all, also removes plan files there of
                       stacks that no longer exist)
  --project-dir <dir>  directory of Pulumi.yaml (default: the current directory)
  --verbose            show the stack trace of a program failure
  -h, --help           this text`;

const OPTIONS = {
    help: { type: "boolean", short: "h" },
    stack: { type: "string", short: "s", multiple: true },
    all: { type: "boolean" },
    json: { type: "boolean" },
    out: { type: "string" },
    "project-dir": { type: "string" },
    verbose: { type: "boolean" },
} as const;

export function parsePlanArgs(argv: readonly string[]): PlanCliArgs {
    let values: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : string | boolean };
    try {
        ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
    } catch (error) {
        throw new PlanError("usage", `${rewordParseError(error as Error)} (see --help)`);
    }
    const stacks = (values.stack as string[] | undefined) ?? [];
    const all = values.all === true;
    const help = values.help === true;
    if (!help) {
        if (all && stacks.length > 0) throw new PlanError("usage", "give either --stack <name> or --all, not both");
        if (!all && stacks.length === 0) throw new PlanError("usage", "which stack? give --stack <name> (repeatable) or --all");
        const duplicate = stacks.find((stack, index) => stacks.indexOf(stack) !== index);
        if (duplicate !== undefined) throw new PlanError("usage", `--stack ${duplicate} is given twice`);
    }
    for (const flag of ["out", "project-dir"] as const) {
        if (values[flag] === "") throw new PlanError("usage", `--${flag} needs a directory`);
    }
    return {
        help,
        stacks,
        all,
        json: values.json === true,
        ...(typeof values.out === "string" ? { out: values.out } : {}),
        ...(typeof values["project-dir"] === "string" ? { projectDir: values["project-dir"] } : {}),
        verbose: values.verbose === true,
    };
}

/** Node's messages name the flag but run long; keep the first sentence, in the CLI's words. */
function rewordParseError(error: Error): string {
    const code = (error as NodeJS.ErrnoException).code;
    const option = /'([^']+)'/.exec(error.message)?.[1];
    switch (code) {
        case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
            return `unknown flag ${option ?? error.message}; flags: --stack, --all, --json, --out, --project-dir, --verbose, --help`;
        case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
            const flag = option?.split(" ")[0] ?? "a flag";
            return error.message.includes("does not take") ? `${flag} takes no value` : `${flag} needs a value`;
        }
        case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
            return `unexpected argument ${option ?? "(positional)"}; name stacks with --stack <name>`;
        default:
            return error.message.split("\n")[0]!;
    }
}
