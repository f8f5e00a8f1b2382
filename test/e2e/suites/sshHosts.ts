/**
 * A fleet across two hosts on the real engine: the local daemon, and the peer daemon reached only
 * over SSH (a real sshd in its network namespace, keys made for this run, see support/sshPeer.ts).
 * Host keys are checked against the fleet's hosts/known_hosts; every operation works across both
 * hosts; and a host that cannot be reached leaves its tenant UNKNOWN while the rest of the run goes on.
 * Run by devStack.test.ts after the moves suite (the peer daemon is already there).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { peerDocker, startPeerDaemon, stopPeerDaemon } from "../support/peerDaemon.js";
import { SSH_PEER_ADDRESS, SSH_PEER_DOCKER_HOST, startSshPeer, type SshPeer } from "../support/sshPeer.js";
import { E2E_DEFAULTS, E2E_RELEASE, fleetCli, freshProjectCopy, removeTenantObjects, run, transcript } from "../support/workspace.js";

const [LOCAL, REMOTE] = ["e2esshl", "e2esshr"] as const;

const registry = `${E2E_DEFAULTS}hosts:
  local:
    dockerHost: unix:///var/run/docker.sock
    portRange: { from: 25600, to: 25649 }
    bindAddress: 127.0.0.1
  remote:
    dockerHost: ${SSH_PEER_DOCKER_HOST}
    portRange: { from: 25650, to: 25699 }
    bindAddress: ${SSH_PEER_ADDRESS}
tenants:
  - ref: ${LOCAL}
    host: local
  - ref: ${REMOTE}
    host: remote
`;

interface Status {
    readonly ref: string;
    readonly state: string;
    readonly reason: string;
    readonly dockerHost: string;
}

export const describeSshHosts = () =>
    describe("a fleet across an ssh:// host on the real engine", () => {
        let project = "";
        let peer: SshPeer;
        const fleet = (...args: string[]) => fleetCli(project, args, { env: peer.env });
        const fleetOk = (...args: string[]) => {
            const result = fleet(...args);
            if (result.status !== 0) throw new Error(`fleet ${args.join(" ")} ${transcript(result)}`);
            return result.stdout;
        };
        const knownHosts = () => join(project, "hosts", "known_hosts");
        const states = (output = fleetOk("status", "--json")) => Object.fromEntries((JSON.parse(output) as Status[]).map((status) => [status.ref, status.state]));
        const peerContainers = (filter = "") => peerDocker(["ps", ...(filter ? [] : ["-a"]), "-q", "--filter", `label=supabase-fleet.tenant=${REMOTE}`, ...(filter ? ["--filter", filter] : [])]).split("\n").filter(Boolean);
        const removePeerObjects = () => {
            for (const kind of ["container", "network", "volume"] as const) {
                const ids = peerDocker([kind, "ls", ...(kind === "container" ? ["-a"] : []), "-q", "--filter", `label=supabase-fleet.tenant=${REMOTE}`]).split("\n").filter(Boolean);
                if (ids.length) peerDocker([kind, "rm", "-f", ...ids]);
            }
        };

        beforeAll(async () => {
            await startPeerDaemon(Object.values(E2E_RELEASE.images));
            peer = await startSshPeer();
            removeTenantObjects(LOCAL);
            removePeerObjects();
            project = freshProjectCopy();
            writeFileSync(join(project, "fleet.yaml"), registry);
        }, 300_000);

        afterAll(() => {
            if (project) {
                peer?.setReachable(true);
                fleet("destroy", LOCAL, "--yes", "--delete-data");
                fleet("destroy", REMOTE, "--yes", "--delete-data");
                rmSync(project, { recursive: true, force: true });
            }
            removeTenantObjects(LOCAL);
            removePeerObjects();
            peer?.stop();
            stopPeerDaemon();
        }, 900_000);

        it("checks the host key against hosts/known_hosts: a wrong key stops everything before anything is created on that host; trust-host records the right one only with --replace", () => {
            fleetOk("sync");
            writeFileSync(knownHosts(), `${peer.otherHostKeyLine}\n`);
            const refused = fleet("up", REMOTE);
            expect(refused.status).toBe(1);
            expect(`${refused.stdout}${refused.stderr}`).toMatch(/Host key verification failed|host key|Host denied/i);
            expect(peerContainers()).toEqual([]);

            const changed = fleet("trust-host", "remote", "--fingerprint", peer.hostKeyFingerprint);
            expect(changed.status).toBe(1);
            expect(changed.stderr).toContain("host keys differ from the ones in hosts/known_hosts");
            expect(readFileSync(knownHosts(), "utf8")).toBe(`${peer.otherHostKeyLine}\n`);
            const trusted = fleetOk("trust-host", "remote", "--fingerprint", peer.hostKeyFingerprint, "--replace");
            expect(trusted).toContain(`recorded in hosts/known_hosts: [${SSH_PEER_ADDRESS}]:2222 (remote), matched the fingerprint given`);
            expect(readFileSync(knownHosts(), "utf8")).toMatch(new RegExp(`^\\[${SSH_PEER_ADDRESS.replace(/\./g, "\\.")}\\]:2222 ssh-ed25519 \\S+\\n$`));
        }, 600_000);

        it("up, status, pause, resume and preview work across both hosts; the ssh host's tenant runs on that daemon only", () => {
            expect(fleetOk("up", "--all", "--parallel", "2")).toContain("up: 2 succeeded");
            expect(states()).toEqual({ [LOCAL]: "ACTIVE", [REMOTE]: "ACTIVE" });
            expect(peerContainers("status=running").length).toBeGreaterThan(8);
            expect(run("docker", ["ps", "-aq", "--filter", `label=supabase-fleet.tenant=${REMOTE}`]).stdout.trim()).toBe("");

            fleetOk("pause", REMOTE);
            expect(states()).toEqual({ [LOCAL]: "ACTIVE", [REMOTE]: "PAUSED" });
            expect(peerContainers("status=running")).toEqual([]);
            fleetOk("resume", REMOTE);
            expect(states()).toEqual({ [LOCAL]: "ACTIVE", [REMOTE]: "ACTIVE" });

            const preview = fleetOk("preview", "--all", "--parallel", "2");
            expect(preview).toContain("preview: 2 succeeded");
        }, 1_200_000);

        it("an unreachable host leaves its tenant UNKNOWN and the run goes on for the other host; destroy works across hosts", () => {
            peer.setReachable(false);
            try {
                const status = fleet("status", "--json");
                expect(states(status.stdout)).toEqual({ [LOCAL]: "ACTIVE", [REMOTE]: "UNKNOWN" });
                const up = fleet("up", "--all", "--parallel", "2");
                expect(up.status).toBe(1);
                expect(up.stdout).toMatch(new RegExp(`${LOCAL}\\s+ok\\s`));
                expect(up.stdout).toMatch(new RegExp(`${REMOTE}\\s+FAILED\\s.*cannot be reached`));
            } finally {
                peer.setReachable(true);
            }
            expect(states()).toEqual({ [LOCAL]: "ACTIVE", [REMOTE]: "ACTIVE" });

            fleetOk("destroy", REMOTE, "--delete-data", "--yes");
            expect(peerContainers()).toEqual([]);
            expect(peerDocker(["volume", "ls", "-q", "--filter", `label=supabase-fleet.tenant=${REMOTE}`]).trim()).toBe("");
            expect(states()).toMatchObject({ [LOCAL]: "ACTIVE" });
        }, 1_200_000);
    });
