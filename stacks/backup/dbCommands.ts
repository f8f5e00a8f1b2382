/**
 * The PostgreSQL client commands a backup and a restore run inside the tenant's own db container:
 * the server's own client binaries (so dump and server versions always match), connected over the
 * container's loopback as the bootstrap superuser. The password is the container's PGPASSWORD; it
 * is never passed in a command line and never leaves the container.
 */
import { once } from "node:events";
import { PassThrough, Readable, type Writable } from "node:stream";
import type { TenantDockerHost } from "../docker/types.js";

export const DB_SERVICE = "db";
export const DB_SUPERUSER = "supabase_admin";
const CONNECTION = ["-h", "127.0.0.1", "-U", DB_SUPERUSER];
/** psql that stops at the first error, reads no ~/.psqlrc and prints bare values. */
const PSQL = ["psql", ...CONNECTION, "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-X", "-q", "-At"];

export class DbCommandError extends Error {
    constructor(what: string, exitCode: number, stderr: string) {
        const detail = stderr.trim().split("\n").filter(Boolean).slice(-2).join(" / ");
        super(`${what} failed in the db container (exit ${exitCode})${detail ? `: ${detail}` : ""}`);
        this.name = "DbCommandError";
    }
}

export class TenantDb {
    constructor(
        private readonly host: TenantDockerHost,
        readonly ref: string,
    ) {}

    /** Runs SQL (given on stdin, so nothing of it shows in a process list) and returns its output lines. */
    async query(sql: string, database = "postgres", what = "a query", env?: readonly string[]): Promise<string[]> {
        const output = await this.collect(PSQL.concat(["-d", database, "-f", "-"]), sql, what, env);
        return output.split("\n").filter((line) => line !== "");
    }

    /** Runs a psql script streamed on stdin, with psql variables from the container's environment. */
    async runScript(script: Readable, database: string, what: string): Promise<void> {
        await this.run(PSQL.concat(["-d", database, "-f", "-"]), what, { stdin: script });
    }

    /** Runs a file that already sits in the db container (a rendered init file) as `user`. */
    async runFile(path: string, user: string, database = "postgres"): Promise<void> {
        await this.run(["psql", "-h", "127.0.0.1", "-U", user, "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-X", "-q", "-d", database, "-f", path], `running ${path}`);
    }

    async dumpGlobals(to: Writable): Promise<void> {
        await this.run(["pg_dumpall", ...CONNECTION, "--globals-only"], "pg_dumpall --globals-only", { stdout: to });
    }

    async dumpDatabase(database: string, to: Writable): Promise<void> {
        await this.run(["pg_dump", ...CONNECTION, "-d", database, "--format=custom"], `pg_dump of ${database}`, { stdout: to });
    }

    /** Creates `database` from a custom-format dump on stdin (the dump names the database); stops at the first error. */
    async restoreDatabase(dump: Readable, database: string): Promise<void> {
        await this.run(["pg_restore", ...CONNECTION, "-d", "template1", "--create", "--exit-on-error"], `pg_restore of ${database}`, { stdin: dump });
    }

    /**
     * Rows of every table's data in a custom-format dump on stdin, as `<table>\t<rows>` (the table as
     * pg_dump quotes it). COPY text rows are one line each: newlines inside values are escaped.
     */
    async rowsInDump(dump: Readable, database: string): Promise<Map<string, number>> {
        // The table is what follows "COPY " up to its column list (or FROM, for a table without columns).
        const awk = `awk '/^COPY / { table = substr($0, 6); sub(/ (\\(.*\\) )?FROM stdin;$/, "", table); rows = 0; inside = 1; next } inside && $0 == "\\\\." { print table "\\t" rows; inside = 0; next } inside { rows++ }'`;
        const output = await this.collect(["bash", "-o", "pipefail", "-c", `pg_restore --data-only -f - | ${awk}`], dump, `counting the rows in the dump of ${database}`);
        return new Map(
            output
                .split("\n")
                .filter((line) => line !== "")
                .map((line) => {
                    const [table, rows] = line.split("\t");
                    return [table!, Number(rows)];
                }),
        );
    }

    private async collect(command: string[], stdin: string | Readable, what: string, env?: readonly string[]): Promise<string> {
        const chunks: Buffer[] = [];
        const stdout = new PassThrough();
        stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
        const input = typeof stdin === "string" ? Readable.from([Buffer.from(stdin)]) : stdin;
        await this.run(command, what, { stdin: input, stdout, ...(env ? { env } : {}) });
        return Buffer.concat(chunks).toString("utf8");
    }

    private async run(command: string[], what: string, streams: { stdin?: Readable; stdout?: Writable; env?: readonly string[] } = {}): Promise<void> {
        const result = await this.host.exec(this.ref, DB_SERVICE, { command, ...streams });
        if (streams.stdout && !streams.stdout.writableFinished) {
            streams.stdout.end();
            await once(streams.stdout, "finish");
        }
        if (result.exitCode !== 0) throw new DbCommandError(what, result.exitCode, result.stderr);
    }
}
