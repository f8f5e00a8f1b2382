/**
 * Stale stack locks on a local file backend. Pulumi's file ("diy") backend locks a stack with a file
 * `.pulumi/locks/organization/<project>/<stack>/<id>.json` holding the writer's pid and host name,
 * and removes it when the operation ends. A CLI that stops after a cancellation normally does so; in
 * rare runs it exits with the file still there, and the stack then refuses every later update until
 * someone runs `pulumi cancel`. A lock whose writer is a process of this machine that no longer exists
 * protects nothing, so the fleet removes it after cancelling. Locks of other machines, and of live
 * processes, are never touched: a live lock makes the fleet refuse the operation before it starts.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

interface LockContent {
    readonly pid?: unknown;
    readonly hostname?: unknown;
    readonly username?: unknown;
    readonly timestamp?: unknown;
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

interface StackLock {
    readonly file: string;
    /** Written on this machine by a process that has exited: it protects nothing. */
    readonly stale: boolean;
    /** Who holds it, for messages: `user@host pid N since T`. */
    readonly holder: string;
}

/** The stack's lock files that parse as Pulumi's; one being written (or not Pulumi's) is left out. */
function stackLocks(backendUrl: string, project: string, stack: string): StackLock[] {
    const dir = stackLockDir(backendUrl, project, stack);
    if (!dir || !existsSync(dir)) return [];
    const locks: StackLock[] = [];
    for (const name of readdirSync(dir).filter((file) => file.endsWith(".json"))) {
        let lock: LockContent;
        try {
            lock = JSON.parse(readFileSync(join(dir, name), "utf8")) as LockContent;
        } catch {
            continue;
        }
        const pid = typeof lock.pid === "number" && Number.isInteger(lock.pid) && lock.pid > 0 ? lock.pid : undefined;
        const stale = lock.hostname === hostname() && pid !== undefined && !processExists(pid);
        const holder = `held by ${String(lock.username ?? "?")}@${String(lock.hostname ?? "?")} pid ${String(lock.pid ?? "?")} since ${String(lock.timestamp ?? "?")}`;
        locks.push({ file: join(dir, name), stale, holder });
    }
    return locks;
}

/** Who holds a live lock on the stack (another process's update), or undefined when nothing does. */
export function liveLockHolder(backendUrl: string, project: string, stack: string): string | undefined {
    return stackLocks(backendUrl, project, stack).find((lock) => !lock.stale)?.holder;
}

/** Removes the stack's locks written on this machine by a process that has exited; returns their file names. */
export function removeStaleLocks(backendUrl: string, project: string, stack: string): string[] {
    const removed: string[] = [];
    for (const lock of stackLocks(backendUrl, project, stack).filter((each) => each.stale)) {
        rmSync(lock.file, { force: true });
        removed.push(basename(lock.file));
    }
    return removed;
}
