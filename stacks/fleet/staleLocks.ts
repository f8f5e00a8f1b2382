/**
 * Stale stack locks on a local file backend. Pulumi's file ("diy") backend locks a stack with a file
 * `.pulumi/locks/organization/<project>/<stack>/<id>.json` holding the writer's pid and host name,
 * and removes it when the operation ends. A CLI that stops after a cancellation normally does so; in
 * rare runs it exits with the file still there, and the stack then refuses every later update until
 * someone runs `pulumi cancel`. A lock whose writer is a process of this machine that no longer exists
 * protects nothing, so the fleet removes it after cancelling. Locks of other machines, and of live
 * processes, are never touched.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

interface LockContent {
    readonly pid?: unknown;
    readonly hostname?: unknown;
}

function processExists(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        // EPERM: it exists, under another user.
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** The lock folder of one stack, or undefined when the backend is not a local folder. */
export function stackLockDir(backendUrl: string, project: string, stack: string): string | undefined {
    if (!backendUrl.startsWith("file://")) return undefined;
    try {
        return join(fileURLToPath(backendUrl), ".pulumi", "locks", "organization", project, stack);
    } catch {
        return undefined; // a file URL with a host: not a folder of this machine
    }
}

/** Removes the stack's locks written on this machine by a process that has exited; returns their file names. */
export function removeStaleLocks(backendUrl: string, project: string, stack: string): string[] {
    const dir = stackLockDir(backendUrl, project, stack);
    if (!dir || !existsSync(dir)) return [];
    const removed: string[] = [];
    for (const name of readdirSync(dir).filter((file) => file.endsWith(".json"))) {
        let lock: LockContent;
        try {
            lock = JSON.parse(readFileSync(join(dir, name), "utf8")) as LockContent;
        } catch {
            continue; // being written, or not Pulumi's: leave it
        }
        if (lock.hostname !== hostname() || typeof lock.pid !== "number" || !Number.isInteger(lock.pid) || lock.pid <= 0) continue;
        if (processExists(lock.pid)) continue;
        rmSync(join(dir, name), { force: true });
        removed.push(name);
    }
    return removed;
}
