/**
 * The live-db sync scripts (the Postgres password, the JWT secret, the removal of the secret's copy) as the command provider runs
 * them, with a fake `docker` on PATH that answers `container inspect` as Docker does (an empty line
 * and a failure for a missing container) with the state a test gives and records what `exec`
 * received: a running db gets the SQL on stdin and the value only through the environment; a
 * stopped one is refused with nothing run; a missing one leaves nothing to change.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JWT_SECRET_COPY_REMOVAL_SQL, JWT_SECRET_SYNC_SQL, NEW_JWT_SECRET_ENV, NEW_PASSWORD_ENV, PASSWORD_SYNC_SQL } from "../../components/files/dbSecretSyncSql.js";
import { DB_NOT_RUNNING_EXIT_CODE, jwtSecretCopyRemovalScript, jwtSecretSyncScript, passwordSyncScript } from "../../components/liveDbSync.js";

const dir = mkdtempSync(join(tmpdir(), "password-sync-"));
const record = join(dir, "exec.log");
// The fake docker: `container inspect` prints FAKE_STATE (or, for "missing", what Docker prints); `exec` logs its arguments, its stdin and whether the password reached it.
writeFileSync(
    join(dir, "docker"),
    `#!/bin/sh
case "$1" in
  container) [ "$2" = inspect ] || exit 2; if [ "$FAKE_STATE" = missing ]; then echo; echo "Error: No such container" >&2; exit 1; fi; echo "$FAKE_STATE" ;;
  exec) { echo "args: $*"; echo "password set: $([ -n "\${${NEW_PASSWORD_ENV}:-}" ] && echo yes)"; cat; } > "${record}" ;;
esac
`,
);
chmodSync(join(dir, "docker"), 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = "a-new-password-0123";
function runScript(state: string) {
    rmSync(record, { force: true });
    return spawnSync("/bin/sh", ["-c", passwordSyncScript()], {
        encoding: "utf8",
        env: { PATH: `${dir}:/usr/bin:/bin`, FAKE_STATE: state, DB_CONTAINER: "t1-db", REF: "t1", DOCKER_HOST: "unix:///var/run/docker.sock", SYNC_SQL: PASSWORD_SYNC_SQL, [NEW_PASSWORD_ENV]: SECRET },
    });
}

describe("the password-sync script", () => {
    it("pipes the SQL into the running db container, with the password passed by name only", () => {
        const result = runScript("true");
        expect(result.status, result.stderr).toBe(0);
        const log = readFileSync(record, "utf8");
        expect(log).toContain(`args: exec -i -e ${NEW_PASSWORD_ENV} t1-db sh -c`);
        expect(log).toContain("password set: yes");
        expect(log).toContain(PASSWORD_SYNC_SQL);
        expect(log).not.toContain(SECRET);
        expect(result.stdout).toContain("is on the Postgres password of its config");
    });

    it("refuses a stopped db container (a paused tenant) and runs nothing", () => {
        const result = runScript("false");
        expect(result.status).toBe(DB_NOT_RUNNING_EXIT_CODE);
        expect(result.stderr).toContain("t1-db is not running (paused?): resume t1 (fleet resume t1)");
        expect(() => readFileSync(record)).toThrow();
    });

    it("has nothing to change when the db container does not exist", () => {
        const result = runScript("missing");
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toContain("t1-db does not exist: no live database to change");
        expect(() => readFileSync(record)).toThrow();
    });

    it("never has the password in its own text or output", () => {
        for (const state of ["true", "false", "missing"]) {
            const result = runScript(state);
            expect(`${result.stdout}${result.stderr}${passwordSyncScript()}`).not.toContain(SECRET);
        }
    });
});

describe("the JWT-secret sync script", () => {
    const NEW_SECRET = "a-new-jwt-secret-0123456789-0123456789";
    const runJwt = (state: string) => {
        rmSync(record, { force: true });
        return spawnSync("/bin/sh", ["-c", jwtSecretSyncScript()], {
            encoding: "utf8",
            env: { PATH: `${dir}:/usr/bin:/bin`, FAKE_STATE: state, DB_CONTAINER: "t1-db", REF: "t1", DOCKER_HOST: "unix:///var/run/docker.sock", SYNC_SQL: JWT_SECRET_SYNC_SQL, [NEW_JWT_SECRET_ENV]: NEW_SECRET },
        });
    };

    it("pipes its SQL into the running db container with the secret passed by name, and refuses a stopped one", () => {
        const result = runJwt("true");
        expect(result.status, result.stderr).toBe(0);
        const log = readFileSync(record, "utf8");
        expect(log).toContain(`args: exec -i -e ${NEW_JWT_SECRET_ENV} t1-db sh -c`);
        expect(log).toContain(JWT_SECRET_SYNC_SQL);
        expect(log).not.toContain(NEW_SECRET);
        expect(result.stdout).toContain("holds the JWT secret of its config");
        const stopped = runJwt("false");
        expect(stopped.status).toBe(DB_NOT_RUNNING_EXIT_CODE);
        expect(stopped.stderr).toContain("a new JWT secret is applied inside the running database, but t1-db is not running");
        expect(runJwt("missing").status).toBe(0);
        for (const state of ["true", "false", "missing"]) {
            const run = runJwt(state);
            expect(`${run.stdout}${run.stderr}${jwtSecretSyncScript()}`).not.toContain(NEW_SECRET);
        }
    });
});

describe("the removal of the database's copy of the JWT secret (0.8.2 on)", () => {
    const runRemoval = (state: string) => {
        rmSync(record, { force: true });
        return spawnSync("/bin/sh", ["-c", jwtSecretCopyRemovalScript()], {
            encoding: "utf8",
            env: { PATH: `${dir}:/usr/bin:/bin`, FAKE_STATE: state, DB_CONTAINER: "t1-db", REF: "t1", DOCKER_HOST: "unix:///var/run/docker.sock", SYNC_SQL: JWT_SECRET_COPY_REMOVAL_SQL },
        });
    };

    it("pipes the RESET into the running db container, and leaves a stopped or missing one be", () => {
        const result = runRemoval("true");
        expect(result.status, result.stderr).toBe(0);
        const log = readFileSync(record, "utf8");
        expect(log).toContain("args: exec -i t1-db sh -c");
        expect(log).toContain('ALTER DATABASE postgres RESET "app.settings.jwt_secret";');
        expect(result.stdout).toContain("holds no copy of the JWT secret");
        // A paused tenant still updates: nothing runs, and the update goes on.
        const stopped = runRemoval("false");
        expect([stopped.status, stopped.stdout.trim()]).toEqual([0, "supabase-fleet: t1-db is not running (paused?): the removal of the database's copy of the JWT secret is left undone"]);
        expect(() => readFileSync(record)).toThrow();
        expect(runRemoval("missing").status).toBe(0);
        expect(() => readFileSync(record)).toThrow();
    });
});
