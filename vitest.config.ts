import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Pulumi's runtime keeps module-level state (mocks, config, stack resource):
        // every test file gets its own process so files never see each other's state.
        pool: "forks",
        // The three end-to-end files (dev stack, fleet, backups) start first (the largest files), spend
        // most of their time waiting on health checks and share no tenant name or port; the fourth worker
        // runs every other file meanwhile. With three workers the other files waited for an end-to-end
        // file to finish and ran last, 170 s after it (start times in .test-results.json of a CI run).
        maxWorkers: 4,
        testTimeout: 60_000,
        hookTimeout: 120_000,
    },
});
