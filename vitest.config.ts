import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Pulumi's runtime keeps module-level state (mocks, config, stack resource):
        // every test file gets its own process so files never see each other's state.
        pool: "forks",
        // The end-to-end files spend most of their time waiting on health checks: two at once
        // (their tenants share no name or port) keep a warm CI run well inside its ten minutes.
        maxWorkers: 2,
        testTimeout: 60_000,
        hookTimeout: 120_000,
    },
});
