/**
 * The peer Docker daemon (peerDaemon.ts) reached the way a remote host is: over SSH, from a real
 * sshd in the peer's network namespace, behind a veth pair. Keys are made per test run: the host key
 * the fleet must check, and a client key held by a real ssh-agent. sshd hands its sessions the peer
 * daemon's socket, so `docker system dial-stdio` over SSH reaches the peer, not this machine's daemon.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PEER_DOCKER_HOST, PEER_NETNS } from "./peerDaemon.js";
import { run, runOk } from "./workspace.js";

const HOST_SIDE = { link: "sfpeer-host", address: "10.232.0.1/30" };
const PEER_SIDE = { link: "sfpeer-ns", address: "10.232.0.2/30" };
export const SSH_PEER_ADDRESS = "10.232.0.2";
const SSH_PORT = 2222;
export const SSH_PEER_DOCKER_HOST = `ssh://root@${SSH_PEER_ADDRESS}:${SSH_PORT}`;

export interface SshPeer {
    /** The environment the fleet runs with: the agent holding this run's client key. */
    readonly env: { readonly SSH_AUTH_SOCK: string };
    /** The SHA256 fingerprint of this run's host key, as an operator gets it out of band. */
    readonly hostKeyFingerprint: string;
    /** A host key made now that the peer does not have, for the wrong-key case. */
    readonly otherHostKeyLine: string;
    /** The link to the peer goes down (unreachable) or comes back. */
    setReachable(reachable: boolean): void;
    stop(): void;
}

const inPeer = (args: readonly string[]) => runOk("ip", ["netns", "exec", PEER_NETNS, ...args]);

function linkUp(): void {
    if (run("ip", ["link", "show", HOST_SIDE.link]).status !== 0) {
        runOk("ip", ["link", "add", HOST_SIDE.link, "type", "veth", "peer", "name", PEER_SIDE.link]);
        runOk("ip", ["link", "set", PEER_SIDE.link, "netns", PEER_NETNS]);
        runOk("ip", ["addr", "add", HOST_SIDE.address, "dev", HOST_SIDE.link]);
        inPeer(["ip", "addr", "add", PEER_SIDE.address, "dev", PEER_SIDE.link]);
        inPeer(["ip", "link", "set", PEER_SIDE.link, "up"]);
    }
    runOk("ip", ["link", "set", HOST_SIDE.link, "up"]);
}

/** Starts sshd and an agent for a peer daemon that already runs (startPeerDaemon). */
export async function startSshPeer(): Promise<SshPeer> {
    linkUp();
    const dir = mkdtempSync(join(tmpdir(), "fleet-ssh-peer-"));
    const key = (name: string) => {
        runOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", join(dir, name)]);
        return join(dir, name);
    };
    const hostKey = key("host_ed25519");
    const clientKey = key("client_ed25519");
    const otherHostKey = key("other_host_ed25519");
    writeFileSync(join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`));
    writeFileSync(
        join(dir, "sshd_config"),
        [
            `ListenAddress ${SSH_PEER_ADDRESS}`,
            `Port ${SSH_PORT}`,
            `HostKey ${hostKey}`,
            `PidFile ${join(dir, "sshd.pid")}`,
            `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "UsePAM no",
            // The key files are in a temporary folder of this run, not under ~/.ssh.
            "StrictModes no",
            `SetEnv DOCKER_HOST=${PEER_DOCKER_HOST}`,
            // The Docker provider opens a connection per parallel step; sshd's default drops some past 10.
            "MaxStartups 100:30:200",
            "",
        ].join("\n"),
    );
    runOk("mkdir", ["-p", "/run/sshd"]);
    const sshd = spawn("nsenter", [`--net=/run/netns/${PEER_NETNS}`, "/usr/sbin/sshd", "-D", "-e", "-f", join(dir, "sshd_config")], {
        detached: true,
        stdio: ["ignore", "ignore", "pipe"],
    });
    let sshdLog = "";
    sshd.stderr.on("data", (chunk: Buffer) => (sshdLog += chunk.toString()));
    sshd.unref();
    const agentSocket = join(dir, "agent.sock");
    const agentPid = /SSH_AGENT_PID=(\d+)/.exec(runOk("ssh-agent", ["-a", agentSocket]))?.[1];
    runOk("ssh-add", ["-q", clientKey], { env: { SSH_AUTH_SOCK: agentSocket } });

    const deadline = Date.now() + 30_000;
    while (run("ssh-keyscan", ["-T", "2", "-p", String(SSH_PORT), SSH_PEER_ADDRESS]).stdout.trim() === "") {
        if (Date.now() > deadline || sshd.exitCode !== null) throw new Error(`sshd did not answer on ${SSH_PEER_ADDRESS}:${SSH_PORT}: ${sshdLog.slice(-1000)}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const fingerprintOf = (path: string) => runOk("ssh-keygen", ["-lf", `${path}.pub`]).split(" ")[1]!;
    const [type, blob] = readFileSync(`${otherHostKey}.pub`, "utf8").split(" ");
    return {
        env: { SSH_AUTH_SOCK: agentSocket },
        hostKeyFingerprint: fingerprintOf(hostKey),
        otherHostKeyLine: `[${SSH_PEER_ADDRESS}]:${SSH_PORT} ${type} ${blob}`,
        setReachable: (reachable) => runOk("ip", ["link", "set", HOST_SIDE.link, reachable ? "up" : "down"]),
        stop: () => {
            sshd.stderr.destroy();
            for (const pid of [sshd.pid, agentPid === undefined ? undefined : Number(agentPid)]) {
                try {
                    if (pid !== undefined) process.kill(pid, "SIGTERM");
                } catch {
                    // already gone
                }
            }
            run("ip", ["link", "del", HOST_SIDE.link]);
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
