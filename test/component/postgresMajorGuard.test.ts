/**
 * The Postgres major check's shell logic, with a stand-in `docker` on PATH that answers as `docker run`
 * would for a data volume holding a given PG_VERSION (or none, or a daemon that cannot be reached).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OTHER_MAJOR_EXIT_CODE, postgresMajorCheckScript } from "../../components/postgresMajorGuard.js";

const bin = mkdtempSync(join(tmpdir(), "fleet-major-"));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
// Prints what `cat /check/PG_VERSION` would, and records its arguments.
writeFileSync(join(bin, "docker"), '#!/bin/sh\nprintf "%s\\n" "$*" > "$0.args"\n[ "$FAKE_DOCKER_FAILS" = yes ] && exit 1\n[ -n "$FAKE_PG_VERSION" ] && printf "%s\\n" "$FAKE_PG_VERSION"\nexit 0\n');
chmodSync(join(bin, "docker"), 0o755);

function check(fake: { pgVersion?: string; fails?: boolean }, major = "17") {
    const env = {
        PATH: `${bin}:/usr/bin:/bin`,
        DOCKER_HOST: "unix:///var/run/docker.sock",
        DB_DATA_VOLUME: "acme-db-data",
        CHECK_IMAGE: "supabase/postgres:17.6.1.136",
        POSTGRES_MAJOR: major,
        REF: "acme",
        FAKE_PG_VERSION: fake.pgVersion ?? "",
        FAKE_DOCKER_FAILS: fake.fails ? "yes" : "no",
    };
    return spawnSync("/bin/sh", ["-c", postgresMajorCheckScript()], { env, encoding: "utf8" });
}

describe("Postgres major check", () => {
    it("stops when the volume holds another major's data, saying what to do", () => {
        const result = check({ pgVersion: "15" });
        expect(result.status).toBe(OTHER_MAJOR_EXIT_CODE);
        expect(result.stderr).toContain("volume acme-db-data holds a Postgres 15 data directory, but stack acme now runs Postgres 17 (supabase/postgres:17.6.1.136)");
        expect(result.stderr).toContain("supabase-fleet:release");
    });

    it("passes for the same major and for an empty volume (a new tenant)", () => {
        expect(check({ pgVersion: "17" }).status).toBe(0);
        expect(check({}).status).toBe(0);
        expect(check({ pgVersion: "15" }, "15").status).toBe(0);
    });

    it("fails rather than passes when the volume cannot be read", () => {
        const result = check({ fails: true });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("could not read the Postgres version of volume acme-db-data");
    });

    it("reads the volume read-only, without network, with the image about to run", () => {
        check({ pgVersion: "17" });
        expect(readFileSync(join(bin, "docker.args"), "utf8")).toBe("run --rm --network none --entrypoint sh -v acme-db-data:/check:ro supabase/postgres:17.6.1.136 -c cat /check/PG_VERSION 2>/dev/null || true\n");
    });
});
