/**
 * Hosts on the real engine with two real Docker daemons on this machine: a tenant that fleet.yaml puts
 * on no host is placed by capacity, sync refuses to switch it to the other daemon once deployed, and
 * `fleet move` takes it there with its rows and its API keys, keeping the old volumes until --confirm.
 * The other daemon is reached as a remote host is, over SSH (a real sshd, see support/sshPeer.ts), so
 * the move's backup and restore stream through it.
 * Run by devStack.test.ts after its own suite (see there why).
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_DOCKER_HOST, peerDocker, startPeerDaemon, stopPeerDaemon } from "../support/peerDaemon.js";
import { SSH_PEER_ADDRESS, SSH_PEER_DOCKER_HOST, startSshPeer, type SshPeer } from "../support/sshPeer.js";
import { E2E_DEFAULTS, E2E_RELEASE, engineMissingReason, fleetCli, freshProjectCopy, removeTenantObjects, run, runOk, transcript } from "../support/workspace.js";

const REF = "e2emv";
const missing = engineMissingReason();
if (missing && process.env.CI !== "true") console.warn(`move e2e skipped: ${missing}`);

const registry = (hostLine = "") => `${E2E_DEFAULTS}hosts:
  local:
    dockerHost: unix:///var/run/docker.sock
    portRange: { from: 25700, to: 25799 }
    bindAddress: 127.0.0.1
    capacity: { memoryMb: 65536, cpus: 64, tenants: 20 }
  peer:
    dockerHost: ${SSH_PEER_DOCKER_HOST}
    portRange: { from: 25800, to: 25899 }
    bindAddress: ${SSH_PEER_ADDRESS}
    capacity: { memoryMb: 16384, cpus: 16, tenants: 2 }
tenants:
  - ref: ${REF}
${hostLine}`;

export const describeMoves = () => describe.skipIf(missing !== null && process.env.CI !== "true")("placement and moves across two real Docker daemons", () => {
    let project = "";
    let peer: SshPeer | undefined;
    const fleet = (...args: string[]) => fleetCli(project, args, { env: peer?.env ?? {} });
    const fleetOk = (...args: string[]) => {
        const result = fleet(...args);
        if (result.status !== 0) throw new Error(`fleet ${args.join(" ")} ${transcript(result)}`);
        return result.stdout;
    };
    const onLocal = (args: string[]) => runOk("docker", args);
    const sql = (docker: (args: string[]) => string, query: string) => docker(["exec", `${REF}-db`, "psql", "-h", "127.0.0.1", "-U", "supabase_admin", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-At", "-c", query]).trim();
    const objects = (docker: (args: string[]) => string, kind: "container" | "volume") =>
        docker([kind, "ls", ...(kind === "container" ? ["-a"] : []), "--filter", `label=supabase-fleet.tenant=${REF}`, "--format", kind === "container" ? "{{.Names}}" : "{{.Name}}"]).split("\n").filter(Boolean).sort();
    const hostsListing = () => JSON.parse(fleetOk("hosts", "--json")) as { hosts: Array<{ name: string; tenants: string[] }> };
    const keys = () => {
        const outputs = JSON.parse(fleetOk("outputs", REF, "--show-secrets", "--json")) as Record<string, unknown>;
        return { anonKey: outputs.anonKey, serviceRoleKey: outputs.serviceRoleKey, jwtSecret: outputs.jwtSecret };
    };
    let keysBefore: ReturnType<typeof keys>;

    beforeAll(async () => {
        if (missing) throw new Error(`CI=true but the real engine cannot run: ${missing}`);
        await startPeerDaemon(Object.values(E2E_RELEASE.images));
        removeTenantObjects(REF);
        for (const kind of ["container", "volume"] as const) {
            const names = objects(peerDocker, kind);
            if (names.length) peerDocker([kind, "rm", "-f", ...names]);
        }
        peer = await startSshPeer();
        project = freshProjectCopy();
        writeFileSync(join(project, "fleet.yaml"), registry());
        fleetOk("trust-host", "peer", "--fingerprint", peer.hostKeyFingerprint);
    }, 300_000);

    afterAll(() => {
        if (!project) return;
        fleet("destroy", REF, "--yes", "--delete-data");
        removeTenantObjects(REF);
        for (const kind of ["container", "network", "volume"] as const) {
            const names = run("docker", [kind, "ls", "-q", "--filter", `label=supabase-fleet.tenant=${REF}`], { env: { DOCKER_HOST: PEER_DOCKER_HOST } }).stdout.split("\n").filter(Boolean);
            if (names.length) run("docker", [kind, "rm", "-f", ...names], { env: { DOCKER_HOST: PEER_DOCKER_HOST } });
        }
        peer?.stop();
        stopPeerDaemon();
        rmSync(project, { recursive: true, force: true });
    }, 900_000);

    it("places a tenant without a host by capacity and deploys it there; sync refuses to switch it to the other daemon once it runs", () => {
        const sync = fleetOk("sync", "--up");
        expect(sync).toMatch(new RegExp(`${REF} +create +local .*placed by capacity`));
        expect(hostsListing().hosts.map((host) => [host.name, host.tenants])).toEqual([["local", [REF]], ["peer", []]]);
        sql(onLocal, "CREATE TABLE moved (id int PRIMARY KEY, note text); INSERT INTO moved VALUES (1, 'written on local')");
        keysBefore = keys();

        writeFileSync(join(project, "fleet.yaml"), registry("    host: peer\n"));
        const refused = fleet("sync");
        expect(refused.status).not.toBe(0);
        expect(refused.stdout).toContain(`sync does not move a deployed tenant, whose data would stay behind`);
        expect(objects(peerDocker, "container")).toEqual([]);
    }, 900_000);

    it("fleet move takes it to the other daemon with its rows and the same keys (a failed one puts it back), keeps the old volumes until --confirm, and removes them then", async () => {
        const preview = fleetOk("move", REF, "--to", "peer", "--preview");
        expect(preview).toContain(`from host local (unix:///var/run/docker.sock) to host peer (${SSH_PEER_DOCKER_HOST})`);
        expect(preview).toContain("nothing was changed");
        const volumesOnLocal = objects(onLocal, "volume");
        expect(volumesOnLocal.length).toBeGreaterThan(0);

        // A move that fails on the new host (an image it cannot have) puts the tenant back on local, on its own volumes.
        const imgproxy = E2E_RELEASE.images.imgproxy;
        peerDocker(["rmi", imgproxy]);
        const failed = fleet("move", REF, "--to", "peer", "--dir", join(project, "backups"));
        expect(failed.status).toBe(1);
        expect(failed.stdout).toContain(`rolled back: it runs on local again, on its own volumes`);
        expect(sql(onLocal, "SELECT note FROM moved WHERE id = 1")).toBe("written on local");
        expect([objects(peerDocker, "container"), objects(peerDocker, "volume")]).toEqual([[], []]);
        expect(keys()).toEqual(keysBefore);
        expect((JSON.parse(fleetOk("status", REF, "--json")) as Array<{ state: string }>)[0]!.state).toBe("ACTIVE");
        await startPeerDaemon([imgproxy]); // the image back

        const moved = fleetOk("move", REF, "--to", "peer", "--dir", join(project, "backups"));
        expect(moved).toMatch(/local to peer, \d+ tables checked/);
        expect(sql(peerDocker, "SELECT note FROM moved WHERE id = 1")).toBe("written on local");
        expect(objects(onLocal, "container")).toEqual([]);
        expect(objects(onLocal, "volume")).toEqual(volumesOnLocal);
        expect(objects(peerDocker, "container").length).toBeGreaterThan(8);
        expect(keys()).toEqual(keysBefore);
        const status = JSON.parse(fleetOk("status", REF, "--json")) as Array<{ state: string; dockerHost: string }>;
        expect(status.map((entry) => [entry.state, entry.dockerHost])).toEqual([["ACTIVE", SSH_PEER_DOCKER_HOST]]);
        expect(hostsListing().hosts.map((host) => [host.name, host.tenants])).toEqual([["local", []], ["peer", [REF]]]);
        expect(fleetOk("sync")).toMatch(new RegExp(`${REF} +unchanged +peer`));

        // The move is recorded until --confirm; a second move waits for it.
        expect(fleet("move", REF, "--to", "local").stderr).toContain(`${REF} still keeps its volumes on local from its last move`);
        expect(fleetOk("move", REF, "--confirm")).toContain(`removed ${volumesOnLocal.length} volume(s) from local`);
        expect(objects(onLocal, "volume")).toEqual([]);
        expect(sql(peerDocker, "SELECT count(*) FROM moved")).toBe("1");
    }, 1_200_000);
});
