import { describe, expect, it } from "vitest";
import { StepPhases } from "../../stacks/fleet/stepPhases.js";

const urn = (name: string) => `urn:pulumi:acme::supabase-fleet::docker:index/container:Container::${name}`;

describe("the phase of a run", () => {
    it("is previewing while the engine plans, then the oldest step in flight, with a count of the others", () => {
        const phases = new StepPhases();
        expect(phases.current()).toEqual({});
        expect(phases.begin({ urn: urn("acme-db"), op: "create" }, true)).toBe(true);
        expect(phases.begin({ urn: urn("acme-kong"), op: "create" }, true)).toBe(false);
        expect(phases.current()).toEqual({ phase: "previewing" });
        expect(phases.begin({ urn: urn("acme-db"), op: "create" }, false)).toBe(true);
        expect(phases.begin({ urn: urn("acme-kong"), op: "replace" }, false)).toBe(false);
        expect(phases.current()).toEqual({ phase: "create acme-db (+1 more)" });
        phases.end(urn("acme-db"));
        expect(phases.current()).toEqual({ phase: "replace acme-kong" });
    });

    it("ignores steps that change nothing", () => {
        const phases = new StepPhases();
        expect(phases.begin({ urn: urn("acme-db"), op: "same" }, false)).toBe(false);
        expect(phases.current()).toEqual({});
    });
});
