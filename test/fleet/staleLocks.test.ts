/**
 * Stale-lock removal after a cancellation: only locks of the file backend, written on this machine by
 * a process that no longer exists, are removed; a live writer's lock, another machine's, a file that
 * is not a lock, and non-file backends are left alone.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { liveLockHolder, removeStaleLocks, stackLockDir } from "../../stacks/fleet/staleLocks.js";

const state = mkdtempSync(join(tmpdir(), "fleet-locks-"));
afterAll(() => rmSync(state, { recursive: true, force: true }));
const backend = pathToFileURL(state).href;

/** The pid of a process that has just exited. */
function deadPid(): number {
    const child = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
    return Number(child.stdout.trim());
}

describe("removeStaleLocks", () => {
    it("removes a lock of an exited process of this machine and keeps every other", () => {
        const dir = stackLockDir(backend, "supabase-fleet", "acme")!;
        expect(dir).toBe(join(state, ".pulumi", "locks", "organization", "supabase-fleet", "acme"));
        mkdirSync(dir, { recursive: true });
        const lock = (name: string, content: unknown) => writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
        lock("dead.json", { pid: deadPid(), username: "root", hostname: hostname(), timestamp: new Date().toISOString() });
        lock("live.json", { pid: process.pid, username: "root", hostname: hostname(), timestamp: new Date().toISOString() });
        lock("elsewhere.json", { pid: deadPid(), username: "root", hostname: `${hostname()}-other`, timestamp: new Date().toISOString() });
        lock("torn.json", '{"pid": 12');
        lock("notes.txt", "not a lock");

        expect(removeStaleLocks(backend, "supabase-fleet", "acme")).toEqual(["dead.json"]);
        for (const name of ["live.json", "elsewhere.json", "torn.json", "notes.txt"]) expect(existsSync(join(dir, name)), name).toBe(true);
        expect(existsSync(join(dir, "dead.json"))).toBe(false);
        // What is left is live: the fleet names its holder and refuses to start an operation.
        expect(liveLockHolder(backend, "supabase-fleet", "acme")).toMatch(new RegExp(`^held by root@${hostname()}(-other)? pid \\d+ since \\d{4}-`));
        // Another stack's lock folder is not looked at.
        expect(removeStaleLocks(backend, "supabase-fleet", "globex")).toEqual([]);
        expect(liveLockHolder(backend, "supabase-fleet", "globex")).toBeUndefined();
    });

    it("sees no live lock once only a dead writer's lock is left", () => {
        const dir = stackLockDir(backend, "supabase-fleet", "initech")!;
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "dead.json"), JSON.stringify({ pid: deadPid(), username: "root", hostname: hostname(), timestamp: new Date().toISOString() }));
        expect(liveLockHolder(backend, "supabase-fleet", "initech")).toBeUndefined();
    });

    it("does nothing for backends that are not a local folder", () => {
        expect(stackLockDir("s3://bucket/state", "supabase-fleet", "acme")).toBeUndefined();
        expect(stackLockDir("file://server/share", "supabase-fleet", "acme")).toBeUndefined();
        expect(removeStaleLocks("https://api.pulumi.com", "supabase-fleet", "acme")).toEqual([]);
        expect(liveLockHolder("https://api.pulumi.com", "supabase-fleet", "acme")).toBeUndefined();
    });
});
