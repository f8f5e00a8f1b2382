import { describe, expect, it } from "vitest";
import { locateToolchain, MISSING_CLI_MESSAGE, MissingPulumiCliError } from "../../stacks/engine/toolchain.js";

describe("the missing-Pulumi-CLI message", () => {
    it("names the official installer with a check that fails visibly, the project's own build and the offline plan", () => {
        expect(MISSING_CLI_MESSAGE).toContain("`curl -fsSL https://get.pulumi.com | sh && ~/.pulumi/bin/pulumi version`");
        expect(MISSING_CLI_MESSAGE).toContain("`npm run toolchain`");
        expect(MISSING_CLI_MESSAGE).toContain("Go module proxy");
        expect(MISSING_CLI_MESSAGE).toContain("`npm run plan -- --stack dev`");
        expect(MISSING_CLI_MESSAGE).not.toContain("\n");
    });

    it("is what locateToolchain throws when neither engine is there", () => {
        const env = { PATH: "/nonexistent", SUPABASE_FLEET_CACHE: "/nonexistent" };
        expect(() => locateToolchain(env)).toThrow(MissingPulumiCliError);
        expect(() => locateToolchain(env)).toThrow(MISSING_CLI_MESSAGE);
    });
});
