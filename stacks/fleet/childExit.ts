/**
 * The Automation API settles an aborted operation as soon as it has signalled the Pulumi CLI, not
 * when the CLI has exited; the CLI releases the stack's lock while it exits. So a cancel waits for
 * this process's Pulumi children to be gone (read from /proc; elsewhere there is nothing to read and
 * the wait is skipped), bounded so that a CLI that hangs cannot hold the fleet forever.
 */
import { readFileSync, readdirSync } from "node:fs";

export async function waitForPulumiChildren(timeoutMs = 30_000, pollMs = 100): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (pulumiChildren().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, pollMs));
}

/** Pids of running `pulumi` processes whose parent is this process. */
export function pulumiChildren(): number[] {
    let entries: string[];
    try {
        entries = readdirSync("/proc");
    } catch {
        return [];
    }
    const children: number[] = [];
    for (const entry of entries) {
        if (!/^\d+$/.test(entry)) continue;
        let stat: string;
        try {
            stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        } catch {
            continue; // exited while being read
        }
        // "<pid> (<comm>) <state> <ppid> ...": comm may hold spaces, so split after its closing parenthesis.
        const close = stat.lastIndexOf(")");
        const comm = stat.slice(stat.indexOf("(") + 1, close);
        const [state, ppid] = stat.slice(close + 2).split(" ");
        if (comm === "pulumi" && Number(ppid) === process.pid && state !== "Z") children.push(Number(entry));
    }
    return children;
}
