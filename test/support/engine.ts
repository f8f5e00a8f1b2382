/** Whether the Pulumi engine is there for the suites that need it. */
import { locateToolchain } from "../../stacks/engine/toolchain.js";

/** True when a Pulumi CLI is found; under CI the engine is part of the install, so its absence throws instead. */
export function engineAvailable(): boolean {
    try {
        locateToolchain();
        return true;
    } catch (error) {
        if (process.env.CI === "true") throw error;
        return false;
    }
}
