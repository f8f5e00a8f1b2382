/**
 * The phase of a run from its engine events: "previewing" while the engine plans, then the step that
 * has been in flight longest (for a container that waits for health, that is the wait).
 */
export class StepPhases {
    private planning = false;
    private readonly inFlight = new Map<string, string>();

    /** Returns whether the phase changed. */
    begin(metadata: { urn: string; op: string }, planning: boolean): boolean {
        if (planning) {
            const changed = !this.planning;
            this.planning = true;
            return changed;
        }
        this.planning = false;
        if (metadata.op === "same" || metadata.op === "read") return false;
        this.inFlight.set(metadata.urn, `${metadata.op} ${metadata.urn.split("::").at(-1)}`);
        return this.inFlight.size === 1;
    }

    end(urn: string): void {
        this.inFlight.delete(urn);
    }

    current(): { phase?: string } {
        if (this.planning) return { phase: "previewing" };
        const [oldest] = this.inFlight.values();
        if (oldest === undefined) return {};
        return { phase: this.inFlight.size > 1 ? `${oldest} (+${this.inFlight.size - 1} more)` : oldest };
    }
}
