import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Pulumi's runtime keeps module-level state (mocks, config, stack resource):
        // every test file gets its own process so files never see each other's state.
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 120_000,
    },
});
