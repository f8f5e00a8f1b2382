/**
 * The existing-data check that runs before a new stack creates its db container, run for real: the
 * script the component declares, against volumes on a real Docker engine.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXISTING_DATABASE_EXIT_CODE, existingDatabaseCheckScript } from "../../components/existingDataGuard.js";
import { TEST_DOCKER_HOST, TEST_RUN_LABEL, probeDockerEngine, removeRunObjects, testDocker } from "../support/dockerFixtures.js";
import { STANDIN_IMAGE, ensureStandinImage } from "../support/standinImage.js";

const docker = testDocker();
const engine = await probeDockerEngine(docker);
const mustRun = process.env.CI === "true";
if (!engine.available) console.warn(`[test/docker] ${engine.reason}; ${mustRun ? "CI=true: failing" : "skipping the existing-data check tests"}`);

const run = randomBytes(3).toString("hex");

async function runCheck(volume: string): Promise<{ code: number; stderr: string }> {
    const env = { ...process.env, DOCKER_HOST: TEST_DOCKER_HOST, DB_DATA_VOLUME: volume, CHECK_IMAGE: STANDIN_IMAGE, REF: "guarded" };
    try {
        await promisify(execFile)("/bin/sh", ["-c", existingDatabaseCheckScript()], { env });
        return { code: 0, stderr: "" };
    } catch (error) {
        const failure = error as { code: number; stderr: string };
        return { code: failure.code, stderr: failure.stderr };
    }
}

async function createVolume(name: string, withDatabase: boolean): Promise<void> {
    await docker.createVolume({ Name: name, Labels: { [TEST_RUN_LABEL]: run } });
    if (!withDatabase) return;
    // What initdb leaves first in a data directory.
    const writer = await docker.createContainer({
        Image: STANDIN_IMAGE,
        Cmd: ["sh", "-c", "echo 15 > /data/PG_VERSION"],
        Labels: { [TEST_RUN_LABEL]: run },
        HostConfig: { Binds: [`${name}:/data`] },
    });
    await writer.start();
    await writer.wait();
}

describe.skipIf(!engine.available && !mustRun)("existing-data check (real Docker engine)", () => {
    beforeAll(async () => {
        if (!engine.available) throw new Error(`CI=true but no Docker engine: ${engine.reason}`);
        await ensureStandinImage(docker);
    }, 120_000);
    afterAll(async () => {
        if (engine.available) await removeRunObjects(docker, run);
    });

    it("lets a new stack proceed over an empty data volume", async () => {
        const volume = `t-${run}-empty-db-data`;
        await createVolume(volume, false);
        expect(await runCheck(volume)).toEqual({ code: 0, stderr: "" });
    });

    it("stops a new stack over a volume that already holds a database, says why and what to do, and changes nothing", async () => {
        const volume = `t-${run}-kept-db-data`;
        await createVolume(volume, true);
        const result = await runCheck(volume);
        expect(result.code).toBe(EXISTING_DATABASE_EXIT_CODE);
        expect(result.stderr.split("\n").filter(Boolean)).toEqual([
            `supabase-fleet: volume ${volume} already holds a database, created with other credentials than the ones this new stack just generated.`,
            "  To keep it: set supabase-fleet:postgresPassword (and jwtSecret) of stack guarded to the values it was created with, then run the update again.",
            `  To start empty: remove the volume (docker volume rm ${volume}) after backing it up; nothing was changed.`,
        ]);
        // The check mounts read-only: the database is still there.
        expect((await runCheck(volume)).code).toBe(EXISTING_DATABASE_EXIT_CODE);
    });
});
