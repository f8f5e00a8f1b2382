import { describe, expectTypeOf, it } from "vitest";
import type { TenantDockerHostFactory } from "../../stacks/fleet/ports.js";
import { createTenantDockerHost } from "../../stacks/docker/index.js";

describe("contract with the fleet layer", () => {
    it("the dockerode host factory fits the factory the fleet is built with", () => {
        expectTypeOf(createTenantDockerHost).toExtend<TenantDockerHostFactory>();
    });
});
