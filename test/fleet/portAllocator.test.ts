import { describe, expect, it } from "vitest";
import { PortAllocationError, PortAllocator } from "../../stacks/fleet/portAllocator.js";
import type { FleetHost } from "../../stacks/fleet/registry.js";

const local: FleetHost = { name: "local", dockerHost: "unix:///var/run/docker.sock", portRange: { from: 1000, to: 1011 } };
const edge: FleetHost = { name: "edge", dockerHost: "ssh://deploy@edge", portRange: { from: 1000, to: 1011 } };

describe("port allocation", () => {
    it("gives every tenant on one Docker host four distinct ports, lowest free first", () => {
        const allocator = new PortAllocator();
        const a = allocator.assign({ ref: "a", host: local });
        const b = allocator.assign({ ref: "b", host: local });
        expect(a.ports).toEqual({ kongHttpPort: 1000, kongHttpsPort: 1001, postgresPort: 1002, poolerTransactionPort: 1003 });
        expect(a.allocated).toEqual(["kongHttpPort", "kongHttpsPort", "postgresPort", "poolerTransactionPort"]);
        expect(b.ports).toEqual({ kongHttpPort: 1004, kongHttpsPort: 1005, postgresPort: 1006, poolerTransactionPort: 1007 });
    });

    it("lets tenants on different Docker hosts use the same ports", () => {
        const allocator = new PortAllocator([{ ref: "a", dockerHost: local.dockerHost, ports: { kongHttpPort: 1000, kongHttpsPort: 1001, postgresPort: 1002, poolerTransactionPort: 1003 } }]);
        expect(allocator.assign({ ref: "b", host: edge }).ports.kongHttpPort).toBe(1000);
    });

    it("keeps recorded ports (stable for the tenant's life) and fills gaps around other tenants", () => {
        const allocator = new PortAllocator([
            { ref: "a", dockerHost: local.dockerHost, ports: { kongHttpPort: 1000, kongHttpsPort: 1001, postgresPort: 1002, poolerTransactionPort: 1003 } },
            { ref: "c", dockerHost: local.dockerHost, ports: { kongHttpPort: 1005, kongHttpsPort: 1006, postgresPort: 1007, poolerTransactionPort: 1008 } },
        ]);
        const again = allocator.assign({ ref: "a", host: local, recorded: { kongHttpPort: 1000, kongHttpsPort: 1001, postgresPort: 1002, poolerTransactionPort: 1003 } });
        expect(again.ports).toEqual({ kongHttpPort: 1000, kongHttpsPort: 1001, postgresPort: 1002, poolerTransactionPort: 1003 });
        expect(again.allocated).toEqual([]);
        expect(allocator.assign({ ref: "b", host: local }).ports).toEqual({ kongHttpPort: 1004, kongHttpsPort: 1009, postgresPort: 1010, poolerTransactionPort: 1011 });
    });

    it("honours explicit ports and names the tenant that already holds a colliding one", () => {
        const allocator = new PortAllocator([{ ref: "a", dockerHost: local.dockerHost, ports: { kongHttpPort: 1000, kongHttpsPort: 1001, postgresPort: 1002, poolerTransactionPort: 1003 } }]);
        const b = allocator.assign({ ref: "b", host: local, explicit: { kongHttpPort: 2000 } });
        expect(b.ports).toEqual({ kongHttpPort: 2000, kongHttpsPort: 1004, postgresPort: 1005, poolerTransactionPort: 1006 });
        expect(b.allocated).toEqual(["kongHttpsPort", "postgresPort", "poolerTransactionPort"]);
        expect(() => allocator.assign({ ref: "c", host: local, explicit: { postgresPort: 1001 } })).toThrow(
            new PortAllocationError("c", "c: postgresPort 1001 (set in the registry) is already used by tenant a (kongHttpsPort) on Docker host unix:///var/run/docker.sock"),
        );
    });

    it("fails with a clear message when the host's range is used up", () => {
        const allocator = new PortAllocator();
        allocator.assign({ ref: "a", host: local });
        allocator.assign({ ref: "b", host: local });
        allocator.assign({ ref: "c", host: local });
        expect(() => allocator.assign({ ref: "d", host: local })).toThrow(
            "d: no free host port left on host local (unix:///var/run/docker.sock): range 1000-1011 is used up by 3 tenant(s); widen hosts.local.portRange or place the tenant on another host",
        );
    });
});
