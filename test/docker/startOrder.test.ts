import { describe, expect, it } from "vitest";
import { START_DEPENDENCIES } from "../../components/services/index.js";
import { StartOrderError, startWaves, stopWaves } from "../../stacks/docker/startOrder.js";

describe("startWaves", () => {
    it("orders the real start graph of the service components (every release's in one)", () => {
        expect(startWaves(START_DEPENDENCIES)).toEqual([
            ["db", "imgproxy", "studio"],
            ["analytics", "auth", "kong", "meta", "realtime", "rest", "supavisor"],
            ["functions", "storage", "vector"],
        ]);
    });

    it("puts each service in the earliest wave after all of its dependencies", () => {
        expect(startWaves({ d: ["c"], c: ["b", "a"], b: ["a"], a: [], e: ["a"] })).toEqual([["a"], ["b", "e"], ["c"], ["d"]]);
    });

    it("stops in the reverse of the start waves", () => {
        expect(stopWaves({ storage: ["db", "rest"], rest: ["db"], db: [] })).toEqual([["storage"], ["rest"], ["db"]]);
    });

    it("returns no waves for an empty map", () => {
        expect(startWaves({})).toEqual([]);
    });

    it("names unknown dependencies and self-dependencies, one problem per line", () => {
        const attempt = () => startWaves({ auth: ["db", "dbb"], rest: ["rest"] } as Record<string, string[]>);
        expect(attempt).toThrow(StartOrderError);
        expect(attempt).toThrow('invalid start dependencies:\n- auth depends on unknown service "db"\n- auth depends on unknown service "dbb"\n- rest depends on itself');
    });

    it("names the services of a cycle", () => {
        expect(() => startWaves({ db: [], a: ["b", "db"], b: ["c"], c: ["a"] })).toThrow(
            "invalid start dependencies:\n- dependency cycle among: a, b, c",
        );
    });
});
