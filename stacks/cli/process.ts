/**
 * What every command-line entry point (stacks/cli/*.ts, scripts/*.ts) does the same way:
 * - `--help` / `-h` prints the usage and exits 0;
 * - a closed stdout or stderr (`| head`, `| jq` that stops early, a closed pipe) is quiet: no EPIPE stack
 *   trace; what is still written to it is dropped and the command ends with its own status;
 * - an unexpected error is one line on stderr and exit 1; the stack trace only with --verbose or DEBUG set.
 * Nothing happens on import: tests import entry points' helpers without these handlers.
 */

export function isHelpFlag(arg: string | undefined): boolean {
    return arg === "--help" || arg === "-h";
}

/** A help flag anywhere before a `--` (after it, arguments belong to another program). */
export function wantsHelp(argv: readonly string[]): boolean {
    const end = argv.indexOf("--");
    return (end === -1 ? argv : argv.slice(0, end)).some(isHelpFlag);
}

function verbose(): boolean {
    return process.argv.includes("--verbose") || (process.env.DEBUG ?? "") !== "";
}

function isBrokenPipe(error: unknown): boolean {
    return (error as NodeJS.ErrnoException | undefined)?.code === "EPIPE";
}

/**
 * The reader went away: nobody will see more of this stream. Later writes are dropped and the command
 * runs to its end, so a fleet run piped into `head` still finishes its updates (exiting mid-run would
 * leave stacks locked) and exits with its own status.
 */
function dropFurtherWrites(stream: NodeJS.WriteStream): void {
    stream.write = ((...args: unknown[]) => {
        const callback = args.find((arg) => typeof arg === "function") as (() => void) | undefined;
        if (callback) process.nextTick(callback);
        return true;
    }) as NodeJS.WriteStream["write"];
}

/** A broken pipe outside the standard streams' own handlers: nothing more can be shown, so stop. */
function exitQuietly(): never {
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
}

/** One line on stderr (the first of the message), the stack only when asked for; exit 1. */
export function failUnexpected(error: unknown): never {
    if (isBrokenPipe(error)) exitQuietly();
    const message = error instanceof Error ? error.message : String(error);
    const [first = "", ...rest] = message.split("\n");
    try {
        if (verbose()) process.stderr.write(`error: ${message}\n${error instanceof Error && error.stack ? `${error.stack}\n` : ""}`);
        else process.stderr.write(`error: ${first.trim()}${rest.some((line) => line.trim() !== "") || error instanceof Error ? " (--verbose or DEBUG=1 for details)" : ""}\n`);
    } catch {
        // stderr is closed too: the exit code is all that is left.
    }
    process.exit(1);
}

let installed = false;

/** Installs the pipe and error handlers (once). Entry points that run top-level code call it first. */
export function setUpProcess(): void {
    if (installed) return;
    installed = true;
    for (const stream of [process.stdout, process.stderr]) {
        stream.on("error", (error) => (isBrokenPipe(error) ? dropFurtherWrites(stream) : failUnexpected(error)));
    }
    // Unhandled rejections reach this handler too (Node's default --unhandled-rejections=throw).
    process.on("uncaughtException", failUnexpected);
}

/** Prints `usage` and exits 0 when the command line asks for help. */
export function exitIfHelp(argv: readonly string[], usage: string): void {
    if (!wantsHelp(argv)) return;
    process.stdout.write(usage.endsWith("\n") ? usage : `${usage}\n`);
    process.exit(0);
}

/**
 * Runs an entry point's main function with the handlers above; its result is the exit code. With `usage`,
 * `--help` / `-h` is answered here; without, `run` answers it itself (e.g. per subcommand).
 */
export async function runEntryPoint(run: (argv: string[]) => Promise<number> | number, options: { usage?: string } = {}): Promise<void> {
    setUpProcess();
    const argv = process.argv.slice(2);
    if (options.usage !== undefined) exitIfHelp(argv, options.usage);
    try {
        process.exitCode = await run(argv);
    } catch (error) {
        failUnexpected(error);
    }
}
