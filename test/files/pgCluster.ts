/**
 * A throwaway PostgreSQL cluster for tests: its own temp directory, a free TCP port on 127.0.0.1
 * (password auth) and a unix socket in the temp dir (trust, like the image's init phase).
 * Root cannot run the server, so as root every server command runs as the `postgres` OS user.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../support/freePort.js";

export const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const isRoot = process.getuid?.() === 0;

/** Why no cluster can be started here, or null when one can. */
export function postgresMissingReason(): string | null {
    for (const tool of ["initdb", "pg_ctl", "postgres", "psql"]) {
        if (!existsSync(join(PG_BIN, tool))) return `${join(PG_BIN, tool)} not found (run .ci/setup-postgres.sh)`;
    }
    if (isRoot && spawnSync("id", ["-u", "postgres"]).status !== 0) return "running as root but there is no postgres OS user to run the server";
    return null;
}

export interface CommandResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, input?: string): CommandResult {
    const result: SpawnSyncReturns<string> = spawnSync(command, args, { env, encoding: "utf8", timeout: 60_000, ...(input !== undefined ? { input } : {}) });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function asServerUser(tool: string, args: readonly string[]): CommandResult {
    const binary = join(PG_BIN, tool);
    return isRoot ? run("runuser", ["-u", "postgres", "--", binary, ...args]) : run(binary, args);
}


export interface PsqlOptions {
    readonly user: string;
    readonly database?: string;
    /** Extra environment (the secrets the SQL reads). */
    readonly env?: Readonly<Record<string, string>>;
    /** psql's stdin (a script run with `-f -`). */
    readonly input?: string;
}

export class PgCluster {
    private constructor(
        readonly root: string,
        readonly port: number,
        readonly dataDir: string,
        readonly socketDir: string,
    ) {}

    /** `bootstrapUser` becomes the superuser initdb creates (the image uses supabase_admin). */
    static async start(bootstrapUser: string): Promise<PgCluster> {
        const root = mkdtempSync(join(tmpdir(), "fleet-pg-"));
        const dataDir = join(root, "data");
        const socketDir = join(root, "sock");
        mkdirSync(dataDir, { mode: 0o700 });
        mkdirSync(socketDir, { mode: 0o700 });
        if (isRoot) {
            const uid = Number(run("id", ["-u", "postgres"]).stdout.trim());
            const gid = Number(run("id", ["-g", "postgres"]).stdout.trim());
            for (const path of [root, dataDir, socketDir]) chownSync(path, uid, gid);
        }
        const cluster = new PgCluster(root, await freePort(), dataDir, socketDir);
        try {
            cluster.initAndStart(bootstrapUser);
        } catch (error) {
            cluster.stop();
            throw error;
        }
        return cluster;
    }

    private initAndStart(bootstrapUser: string): void {
        const { dataDir, socketDir, root } = this;
        const init = asServerUser("initdb", [
            "-D", dataDir, "-U", bootstrapUser, "-E", "UTF8", "--locale=C",
            "--auth-local=trust", "--auth-host=scram-sha-256",
        ]);
        if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
        const started = asServerUser("pg_ctl", [
            "-D", dataDir, "-l", join(root, "server.log"), "-w", "-t", "60",
            "-o", `-p ${this.port} -k ${socketDir} -c listen_addresses=127.0.0.1`,
            "start",
        ]);
        if (started.status !== 0) throw new Error(`pg_ctl start failed: ${started.stderr}${started.stdout}`);
    }

    /** psql over the unix socket, with the image's flags. `target` is `-f <file>` or `-c <sql>`. */
    psql(options: PsqlOptions, ...target: string[]): CommandResult {
        return run(join(PG_BIN, "psql"), ["-v", "ON_ERROR_STOP=1", "--no-password", "--no-psqlrc", "-U", options.user, "-d", options.database ?? "postgres", "-At", ...target], {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            PGHOST: this.socketDir,
            PGPORT: String(this.port),
            ...options.env,
        }, options.input);
    }

    /** One query over TCP on 127.0.0.1 with password authentication. */
    queryWithPassword(user: string, password: string, sql: string, database = "postgres"): CommandResult {
        return run(join(PG_BIN, "psql"), ["--no-psqlrc", "-At", "-h", "127.0.0.1", "-p", String(this.port), "-U", user, "-d", database, "-c", sql], {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            PGPASSWORD: password,
            PGCONNECT_TIMEOUT: "10",
        });
    }

    /** Runs SQL as `user` and returns its output; throws on failure. */
    query(user: string, sql: string, database = "postgres"): string {
        const result = this.psql({ user, database }, "-c", sql);
        if (result.status !== 0) throw new Error(`query failed (${sql}): ${result.stderr}`);
        return result.stdout.trim();
    }

    /** Stops the server if it runs, then removes every file of the cluster. */
    stop(): void {
        if (existsSync(join(this.dataDir, "postmaster.pid"))) asServerUser("pg_ctl", ["-D", this.dataDir, "-m", "immediate", "-w", "stop"]);
        rmSync(this.root, { recursive: true, force: true });
    }
}
