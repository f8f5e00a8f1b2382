/** Reduces Docker's container inspection to the fleet's `ContainerState`. */
import type { ContainerInspectInfo } from "dockerode";
import type { ContainerState } from "./types.js";

type InspectedState = Pick<ContainerInspectInfo["State"], "Running" | "Restarting"> & {
    readonly Health?: { readonly Status: string } | undefined;
};

export function containerStateOf(state: InspectedState): ContainerState {
    // A restart loop is not up, but it is on its way (or failing to get) there.
    if (state.Restarting) return "starting";
    if (!state.Running) return "stopped";
    switch (state.Health?.Status) {
        case undefined:
        case "none":
            return "running";
        case "healthy":
            return "healthy";
        case "unhealthy":
            return "unhealthy";
        default:
            return "starting";
    }
}

/** Whether dependents may start: healthy, or running with no health check to wait for. */
export function isReady(state: ContainerState): boolean {
    return state === "healthy" || state === "running";
}

/** Ranks states so that, when two containers claim one service, the one that is up wins. */
export function preferredState(a: ContainerState, b: ContainerState): ContainerState {
    const rank: Readonly<Record<ContainerState, number>> = {
        healthy: 5,
        running: 4,
        starting: 3,
        unhealthy: 2,
        stopped: 1,
        missing: 0,
    };
    return rank[a] >= rank[b] ? a : b;
}
