/**
 * A second, real Docker daemon on this machine, for the tests of tenants that change hosts. It runs in
 * a network namespace of its own (`ip netns`), so its bridges, iptables rules and published ports are
 * its own, as on another machine; only its socket, data and exec roots sit on this file system. The
 * images a tenant needs are copied over from the first daemon with save | load.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { run, runOk } from "./workspace.js";

const ROOT = "/run/supabase-fleet-peer";
export const PEER_DOCKER_HOST = `unix://${ROOT}/docker.sock`;
const PEER_ENV = { DOCKER_HOST: PEER_DOCKER_HOST };
const PEER_POOL = "10.231.0.0/16";
export const PEER_NETNS = "supabase-fleet-peer";

/** The docker CLI against the peer daemon. */
export const peerDocker = (args: readonly string[]) => runOk("docker", [...args], { env: PEER_ENV });
const answers = () => run("docker", ["info", "--format", "{{.ID}}"], { env: PEER_ENV }).status === 0;

/** Starts the peer daemon unless it already answers, then gives it the images it lacks. */
export async function startPeerDaemon(images: readonly string[]): Promise<void> {
    if (!answers()) {
        mkdirSync(`${ROOT}/exec`, { recursive: true });
        if (run("ip", ["netns", "pids", PEER_NETNS]).status !== 0) {
            runOk("ip", ["netns", "add", PEER_NETNS]);
            runOk("ip", ["netns", "exec", PEER_NETNS, "ip", "link", "set", "lo", "up"]);
        }
        // nsenter, not `ip netns exec`: that one also remounts /sys, where dockerd needs the host's cgroups.
        const child = spawn(
            "nsenter",
            [
                `--net=/run/netns/${PEER_NETNS}`,
                "dockerd",
                "--host", PEER_DOCKER_HOST,
                "--data-root", "/var/lib/supabase-fleet-peer",
                "--exec-root", `${ROOT}/exec`,
                "--pidfile", `${ROOT}/docker.pid`,
                "--bridge", "none",
                "--default-address-pool", `base=${PEER_POOL},size=24`,
            ],
            { detached: true, stdio: "ignore" },
        );
        child.unref();
        const deadline = Date.now() + 60_000;
        while (!answers()) {
            if (Date.now() > deadline) throw new Error("the peer Docker daemon did not answer within 60 s");
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
    }
    const present = new Set(peerDocker(["images", "--format", "{{.Repository}}:{{.Tag}}"]).split("\n").filter(Boolean));
    const missing = images.filter((image) => !present.has(image));
    if (missing.length > 0) {
        const result = run("sh", ["-c", `docker save ${missing.join(" ")} | DOCKER_HOST=${PEER_DOCKER_HOST} docker load`]);
        if (result.status !== 0) throw new Error(`copying images to the peer daemon failed: ${result.stderr.slice(-500)}`);
    }
}

export function stopPeerDaemon(): void {
    let pid: number;
    try {
        pid = Number(readFileSync(`${ROOT}/docker.pid`, "utf8").trim());
        process.kill(pid, "SIGTERM");
    } catch {
        return; // never started, or already gone
    }
    // Until the process has exited (not just stopped answering): a daemon started again right after
    // (the next suite) would find the data root still held, and exit.
    // /proc, not kill(pid, 0): the daemon may be this process's child, a zombie until the event loop
    // (not running during this synchronous wait) reaps it.
    const alive = () => {
        try {
            return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
        } catch {
            return false;
        }
    };
    for (let waited = 0; waited < 120 && alive(); waited++) run("sleep", ["0.5"]);
}
