import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Pulumi's runtime keeps module-level state (mocks, config, stack resource):
        // every test file gets its own process so files never see each other's state.
        pool: "forks",
        // The three end-to-end files (dev stack, fleet, backups) spend most of their time waiting on
        // health checks and share no tenant name or port: three at once keep a warm CI run inside its
        // ten minutes on two cores.
        maxWorkers: 3,
        testTimeout: 60_000,
        hookTimeout: 120_000,
    },
});
