/**
 * The fleet through the real Automation API and the real Docker engine, from a fresh copy of the
 * project: two tenants on one host synced and deployed in parallel without a collision, their status,
 * pause and resume of one without touching the other, and destroy with their data.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineMissingReason, freshProjectCopy, inspect, removeTenantObjects, run } from "./support/workspace.js";

const TENANTS = ["e2ealpha", "e2ebeta"] as const;
const missing = engineMissingReason();
if (missing && process.env.CI !== "true") console.warn(`fleet e2e skipped: ${missing}`);

const REGISTRY = `
defaults:
  authEmailAutoconfirm: true
  analyticsEnabled: false
hosts:
  local:
    dockerHost: unix:///var/run/docker.sock
    portRange: { from: 55400, to: 55499 }
    bindAddress: 127.0.0.1
tenants:
${TENANTS.map((ref) => `  - ref: ${ref}\n    host: local`).join("\n")}
`;

describe.skipIf(missing !== null && process.env.CI !== "true")("the fleet on the real engine", () => {
    let project = "";
    const fleet = (...args: string[]) => run("npm", ["run", "--silent", "fleet", "--", ...args], { cwd: project, timeoutMs: 1_500_000 });
    const states = (): Record<string, string> => {
        const result = fleet("status", "--json");
        expect(result.status, result.stderr).toBe(0);
        const parsed = JSON.parse(result.stdout) as { tenants?: { ref: string; state: string }[] } | { ref: string; state: string }[];
        const list = Array.isArray(parsed) ? parsed : (parsed.tenants ?? []);
        return Object.fromEntries(list.map((t) => [t.ref, t.state]));
    };

    beforeAll(() => {
        if (missing) throw new Error(`CI=true but the real engine cannot run: ${missing}`);
        for (const ref of TENANTS) removeTenantObjects(ref);
        project = freshProjectCopy();
        writeFileSync(join(project, "fleet.yaml"), REGISTRY);
    }, 120_000);

    afterAll(() => {
        if (!project) return;
        for (const ref of TENANTS) {
            fleet("destroy", ref, "--yes", "--delete-data");
            removeTenantObjects(ref);
        }
        rmSync(project, { recursive: true, force: true });
    }, 900_000);

    it("sync --up deploys both tenants at parallelism 2 on distinct ports, and status shows them ACTIVE", () => {
        const sync = fleet("sync", "--up", "--parallel", "2");
        expect(sync.status, `${sync.stdout.slice(-4000)}\n${sync.stderr.slice(-4000)}`).toBe(0);
        const kongPorts = TENANTS.map((ref) => inspect("container", `${ref}-kong`).HostConfig.PortBindings["8000/tcp"][0].HostPort);
        expect(new Set(kongPorts).size).toBe(2);
        for (const port of kongPorts) expect(Number(port)).toBeGreaterThanOrEqual(55400);
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "ACTIVE" });
    }, 1_800_000);

    it("pause stops one tenant's containers and leaves the other running; resume brings it back", () => {
        const betaStarted = inspect("container", "e2ebeta-db").State.StartedAt;
        expect(fleet("pause", "e2ealpha").status).toBe(0);
        expect(inspect("container", "e2ealpha-db").State.Running).toBe(false);
        expect(states()).toEqual({ e2ealpha: "PAUSED", e2ebeta: "ACTIVE" });
        expect(fleet("resume", "e2ealpha").status).toBe(0);
        expect(inspect("container", "e2ealpha-db").State.Running).toBe(true);
        expect(states()).toEqual({ e2ealpha: "ACTIVE", e2ebeta: "ACTIVE" });
        expect(inspect("container", "e2ebeta-db").State.StartedAt).toBe(betaStarted);
    }, 900_000);

    it("destroy --delete-data removes a tenant's containers and volumes and nothing of the other's", () => {
        expect(fleet("destroy", "e2ealpha", "--yes", "--delete-data").status).toBe(0);
        expect(run("docker", ["ps", "-aq", "--filter", "label=supabase-fleet.tenant=e2ealpha"]).stdout.trim()).toBe("");
        expect(run("docker", ["volume", "ls", "-q", "--filter", "label=supabase-fleet.tenant=e2ealpha"]).stdout.trim()).toBe("");
        expect(inspect("container", "e2ebeta-db").State.Running).toBe(true);
    }, 900_000);
});
