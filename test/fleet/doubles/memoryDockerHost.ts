/**
 * An in-memory TenantDockerHost: the test double of the dockerode implementation. It records calls, can be made unreachable, and mirrors a memory
 * engine's updates (containers appear healthy after `up`, vanish after `destroy`).
 */
import { ANALYTICS_SERVICES, SERVICE_NAMES } from "../../../components/catalog.js";
import type { OperationKind } from "../../../stacks/fleet/engine.js";
import type { ContainerState, TenantDockerHost } from "../../../stacks/fleet/ports.js";

export class MemoryDockerHost implements TenantDockerHost {
    private readonly tenants = new Map<string, Record<string, ContainerState>>();
    /** When set, every call fails with this message, like a daemon that cannot be reached. */
    unreachable: string | undefined;
    /** Every call, in order, as `<method> <ref>`. */
    readonly calls: string[] = [];

    constructor(readonly dockerHost: string) {}

    setStates(ref: string, states: Record<string, ContainerState>): void {
        this.tenants.set(ref, { ...states });
    }

    /** Mirrors a memory engine: `up` leaves every service healthy (stopped while paused), `destroy` removes them. */
    apply(ref: string, kind: OperationKind, config: Record<string, string>): void {
        if (kind === "destroy") {
            this.tenants.delete(ref);
            return;
        }
        const analytics = config.analyticsEnabled !== "false";
        const state: ContainerState = config.paused === "true" ? "stopped" : "healthy";
        const services = SERVICE_NAMES.filter((service) => analytics || !ANALYTICS_SERVICES.includes(service));
        this.tenants.set(ref, Object.fromEntries(services.map((service) => [service, state])));
    }

    async serviceStates(ref: string): Promise<Record<string, ContainerState>> {
        this.check("serviceStates", ref);
        return { ...(this.tenants.get(ref) ?? {}) };
    }

    async pause(ref: string): Promise<void> {
        this.check("pause", ref);
        this.setAll(ref, "stopped");
    }

    async resume(ref: string): Promise<void> {
        this.check("resume", ref);
        this.setAll(ref, "healthy");
    }

    async tenantRefs(): Promise<string[]> {
        this.check("tenantRefs", "");
        return [...this.tenants.keys()].sort();
    }

    async ping(): Promise<void> {
        this.check("ping", "");
    }

    private setAll(ref: string, state: ContainerState): void {
        const services = this.tenants.get(ref) ?? {};
        this.tenants.set(ref, Object.fromEntries(Object.keys(services).map((service) => [service, state])));
    }

    private check(method: string, ref: string): void {
        this.calls.push(ref ? `${method} ${ref}` : method);
        if (this.unreachable !== undefined) throw new Error(this.unreachable);
    }
}

/** One MemoryDockerHost per Docker host string, shared by the fleet and the memory engine. */
export class MemoryDockerHosts {
    private readonly hosts = new Map<string, MemoryDockerHost>();

    get(dockerHost: string): MemoryDockerHost {
        let host = this.hosts.get(dockerHost);
        if (!host) {
            host = new MemoryDockerHost(dockerHost);
            this.hosts.set(dockerHost, host);
        }
        return host;
    }

    readonly factory = (dockerHost: string): TenantDockerHost => this.get(dockerHost);

    /** For MemoryEngine's `onApplied`. */
    readonly mirror = (ref: string, kind: OperationKind, config: Record<string, string>): void => {
        this.get(config.dockerHost ?? "unix:///var/run/docker.sock").apply(ref, kind, config);
    };
}
