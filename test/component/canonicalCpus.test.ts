import { describe, expect, it } from "vitest";
import { canonicalCpus } from "../../components/docker/container.js";

describe("canonicalCpus", () => {
    it("writes a CPU limit the way the Docker provider reads it back from the engine", () => {
        expect(["1", "2", "10", "01", "0.5", "0.50", "1.25", "0.125", "2.0"].map(canonicalCpus)).toEqual(["1.0", "2.0", "10.0", "1.0", "0.5", "0.5", "1.25", "0.125", "2.0"]);
    });
});
