import { describe, expect, it } from "vitest";
import { containerStateOf, isReady, preferredState } from "../../stacks/docker/containerState.js";

describe("containerStateOf", () => {
    it.each([
        [{ Running: false, Restarting: false }, "stopped"],
        [{ Running: true, Restarting: true }, "starting"],
        [{ Running: true, Restarting: false }, "running"],
        [{ Running: true, Restarting: false, Health: { Status: "none" } }, "running"],
        [{ Running: true, Restarting: false, Health: { Status: "starting" } }, "starting"],
        [{ Running: true, Restarting: false, Health: { Status: "healthy" } }, "healthy"],
        [{ Running: true, Restarting: false, Health: { Status: "unhealthy" } }, "unhealthy"],
        [{ Running: false, Restarting: false, Health: { Status: "healthy" } }, "stopped"],
    ] as const)("maps %j to %s", (state, expected) => {
        expect(containerStateOf(state)).toBe(expected);
    });

    it("counts only healthy and running-without-check as ready", () => {
        expect((["running", "healthy", "unhealthy", "starting", "stopped", "missing"] as const).filter(isReady)).toEqual([
            "running",
            "healthy",
        ]);
    });

    it("prefers the container that is up when two claim one service", () => {
        expect(preferredState("stopped", "healthy")).toBe("healthy");
        expect(preferredState("starting", "unhealthy")).toBe("starting");
        expect(preferredState("missing", "stopped")).toBe("stopped");
    });
});
