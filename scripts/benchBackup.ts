/**
 * `npm run bench:backup -- <ref>`: a tenant's whole backup (`takeBackup`: roles, every database,
 * the data volumes, checksums, manifest) against a bare `docker exec <db> pg_dump -Fc` of the same
 * databases into files, measured in the same run, alternating, median of --runs. The target is a
 * ratio (backup / bare pg_dump) of at most 1.2, so the machine's speed cancels out.
 *
 * Run it against a deployed scratch tenant: with --seed-rows N it first writes N rows (about 100
 * bytes each) into a schema of its own, `fleet_bench`, so the dump has something to do, and drops
 * that schema at the end. Options: --runs 5, --seed-rows 0, --docker-host unix:///var/run/docker.sock,
 * --out <file> (a Markdown report).
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { containerName } from "../components/names.js";
import { BackupFolder } from "../stacks/backup/folder.js";
import { DB_SERVICE, DB_SUPERUSER, TenantDb } from "../stacks/backup/dbCommands.js";
import { takeBackup } from "../stacks/backup/takeBackup.js";
import { runEntryPoint } from "../stacks/cli/process.js";
import { createTenantDockerHost } from "../stacks/docker/index.js";

const TARGET_RATIO = 1.2;
const BENCH_SCHEMA = "fleet_bench";
const USAGE = "usage: npm run bench:backup -- <ref> [--runs 5] [--seed-rows 0] [--docker-host unix:///var/run/docker.sock] [--out file.md]";

/** `docker exec <db> pg_dump -Fc -d <database>` into `file`: the baseline, with nothing of ours around it. */
function barePgDump(ref: string, database: string, file: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn("docker", ["exec", containerName(ref, DB_SERVICE), "pg_dump", "-h", "127.0.0.1", "-U", DB_SUPERUSER, "-d", database, "--format=custom"], { stdio: ["ignore", "pipe", "inherit"] });
        child.stdout.pipe(createWriteStream(file));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump of ${database} exited ${code}`))));
    });
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<number> {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: { runs: { type: "string", default: "5" }, "seed-rows": { type: "string", default: "0" }, "docker-host": { type: "string", default: "unix:///var/run/docker.sock" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    const [ref] = positionals;
    const runs = Number(values.runs);
    const seedRows = Number(values["seed-rows"]);
    if (!ref || !Number.isInteger(runs) || runs < 1 || !Number.isInteger(seedRows) || seedRows < 0) {
        process.stderr.write(`bench:backup: ${USAGE}\n`);
        return 2;
    }
    const host = createTenantDockerHost(values["docker-host"]!);
    const db = new TenantDb(host, ref);
    const scratch = mkdtempSync(join(tmpdir(), "bench-backup-"));
    try {
        if (seedRows > 0) {
            await db.query(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE; CREATE SCHEMA ${BENCH_SCHEMA}; CREATE TABLE ${BENCH_SCHEMA}.rows AS SELECT n AS id, md5(n::text) || md5((n * 7)::text) || md5((n * 13)::text) AS body FROM generate_series(1, ${seedRows}) n;`, "postgres", "seeding the benchmark rows");
        }
        const databases = await db.query("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname;", "postgres", "listing the databases");
        const backupMs: number[] = [];
        const bareMs: number[] = [];
        let bytes = 0;
        for (let run = 0; run < runs; run += 1) {
            // Alternate which goes first, so neither always meets a warm cache.
            const order = run % 2 === 0 ? ["bare", "backup"] : ["backup", "bare"];
            for (const which of order) {
                const started = performance.now();
                if (which === "bare") {
                    for (const database of databases) await barePgDump(ref, database, join(scratch, `bare-${run}-${database}.dump`));
                    bareMs.push(performance.now() - started);
                } else {
                    const entry = await takeBackup({ host, ref, release: "benchmark", folder: new BackupFolder(join(scratch, `backup-${run}`)) });
                    backupMs.push(performance.now() - started);
                    bytes = entry.bytes;
                }
            }
            rmSync(join(scratch, `backup-${run}`), { recursive: true, force: true });
        }
        const ratio = median(backupMs) / median(bareMs);
        const verdict = ratio <= TARGET_RATIO ? "meets" : "misses";
        const report = [
            `# Backup benchmark`,
            ``,
            `Tenant \`${ref}\`, databases ${databases.join(", ")}, ${seedRows} seeded rows, backup ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${runs} runs, ${cpus().length} CPUs.`,
            ``,
            `| measurement | median ms | runs (ms) |`,
            `| --- | ---: | --- |`,
            `| bare \`docker exec … pg_dump -Fc\` of each database | ${median(bareMs).toFixed(0)} | ${bareMs.map((ms) => ms.toFixed(0)).join(", ")} |`,
            `| \`takeBackup\` (roles, databases, volumes, checksums, manifest) | ${median(backupMs).toFixed(0)} | ${backupMs.map((ms) => ms.toFixed(0)).join(", ")} |`,
            ``,
            `Ratio ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}): ${verdict} the target.`,
            ``,
        ].join("\n");
        process.stdout.write(report);
        if (values.out) writeFileSync(values.out, report);
        return ratio <= TARGET_RATIO ? 0 : 1;
    } finally {
        if (seedRows > 0) await db.query(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE;`, "postgres", "dropping the benchmark rows").catch(() => undefined);
        rmSync(scratch, { recursive: true, force: true });
    }
}

runEntryPoint(main);
