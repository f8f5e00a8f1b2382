import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliHarness } from "./helpers.js";

const registry = (edge: boolean, tenants: readonly string[]) => `defaults:
  authEmailAutoconfirm: true
hosts:
  local:
    dockerHost: unix:///var/run/docker.sock
    portRange: { from: 40000, to: 40099 }
${edge ? "    edge: { baseDomain: tenants.example.test, tls: internal }\n" : ""}tenants:
${tenants.map((ref) => `  - ref: ${ref}\n`).join("")}`;

describe("fleet destroy-host", () => {
    it("is refused while fleet.yaml gives the host an edge, and while a deployed tenant there is routed through it; then removes the host stack", async () => {
        const { run, hostEngine, cwd } = cliHarness(registry(true, ["alpha"]));
        expect((await run(["sync", "--up"])).code).toBe(0);
        expect((await hostEngine.listStacks()).map((stack) => [stack.ref, stack.resourceCount])).toEqual([["local", 20]]);

        const stillInRegistry = await run(["destroy-host", "local", "--yes"]);
        expect(stillInRegistry).toMatchObject({ code: 2, stderr: "fleet: host local still has an edge: section in fleet.yaml: remove it first, or fleet sync deploys the host stack again\n" });

        // The edge: section goes, but alpha's stack still routes through the proxy until sync rewrites it.
        writeFileSync(join(cwd, "fleet.yaml"), registry(false, ["alpha"]));
        const routed = await run(["destroy-host", "local", "--yes"]);
        expect(routed.stderr).toBe("fleet: host stack local still routes deployed tenants alpha, which publish no gateway port without it: destroy or move them first\n");
        // Once sync has rewritten alpha's config, its containers still run behind the proxy until it is deployed again.
        expect((await run(["sync"])).code).toBe(0);
        expect((await run(["destroy-host", "local", "--yes"])).stderr).toContain("still routes deployed tenants alpha");
        expect((await run(["destroy", "alpha", "--yes"])).code).toBe(0);

        const sync = await run(["sync"]);
        expect(sync.stdout).toMatch(/local\s+unmanaged\s+\(no tenants\)\s+no host with an edge: section of that name in fleet\.yaml; fleet destroy-host local --yes removes it/);
        expect((await run(["destroy-host", "local"])).stderr).toMatch(/^fleet: destroy-host removes the edge proxy, the edge network and the routes of host stack local \(unix:\/\/\/var\/run\/docker\.sock\); its data volume supabase-fleet-edge-data .* Add --yes to confirm\n$/);
        expect((await hostEngine.listStacks()).length).toBe(1);

        const destroyed = await run(["destroy-host", "local", "--yes"]);
        expect(destroyed.code).toBe(0);
        expect(destroyed.stdout).toContain("the certificates stay in supabase-fleet-edge-data on unix:///var/run/docker.sock");
        expect(await hostEngine.listStacks()).toEqual([]);
        expect((await run(["destroy-host", "local", "--yes"])).stderr).toBe("fleet: no host stack named local (host stacks: none)\n");
    });
});
