import { describe, expectTypeOf, it } from "vitest";
import type { ContainerState as FleetContainerState, TenantDockerHost as FleetHost, TenantDockerHostFactory } from "../../stacks/fleet/ports.js";
import { type ContainerState, type TenantDockerHost, createTenantDockerHost } from "../../stacks/docker/index.js";

// The fleet layer declares its own copy of the contract (stacks/fleet/ports.ts): the two must match.
describe("contract with stacks/fleet/ports.ts", () => {
    it("has the same types both ways, and the factory fits the fleet's factory type", () => {
        expectTypeOf<ContainerState>().toEqualTypeOf<FleetContainerState>();
        expectTypeOf<TenantDockerHost>().toEqualTypeOf<FleetHost>();
        expectTypeOf(createTenantDockerHost).toExtend<TenantDockerHostFactory>();
    });
});
