/**
 * Every service module, and the start graph derived from them (the one source of the order in
 * which containers are created by `pulumi up` and started by `fleet resume`).
 */
import { ANALYTICS_SERVICES, SERVICE_NAMES, type ServiceName } from "../catalog.js";
import { RELEASES, RELEASE_NAMES, type Release } from "../releases.js";
import { analytics } from "./analytics.js";
import { auth } from "./auth.js";
import { db } from "./db.js";
import { functions } from "./functions.js";
import { imgproxy } from "./imgproxy.js";
import { kong } from "./kong.js";
import { meta } from "./meta.js";
import { realtime } from "./realtime.js";
import { rest } from "./rest.js";
import { storage } from "./storage.js";
import { studio } from "./studio.js";
import { supavisor } from "./supavisor.js";
import { vector } from "./vector.js";
import type { TenantConfig } from "../config/schema.js";
import type { ServiceModule } from "./types.js";

export const SERVICE_MODULES: Readonly<Record<ServiceName, ServiceModule>> = {
    db,
    vector,
    analytics,
    kong,
    auth,
    rest,
    realtime,
    storage,
    imgproxy,
    meta,
    functions,
    studio,
    supavisor,
};

type StartGraph = Readonly<Record<ServiceName, readonly ServiceName[]>>;

const perService = (dependencies: (service: ServiceName) => readonly ServiceName[]): StartGraph =>
    Object.fromEntries(SERVICE_NAMES.map((service) => [service, dependencies(service)])) as StartGraph;

/** Which services must be healthy before each one starts, in one release. */
export function startDependencies(release: Release): StartGraph {
    return perService((service) => SERVICE_MODULES[service].dependsOn(release));
}

/**
 * Every release's start dependencies in one graph: `fleet resume` starts a host's containers without
 * reading each tenant's release, and an order that honours every release honours the tenant's.
 */
export const START_DEPENDENCIES: StartGraph = perService((service) =>
    [...new Set(RELEASE_NAMES.flatMap((name) => startDependencies(RELEASES[name])[service]))].sort(),
);

/** The services a tenant runs: all of them, less analytics and vector when analytics is off. */
export function enabledServices(analyticsEnabled: boolean): ServiceName[] {
    return SERVICE_NAMES.filter((service) => analyticsEnabled || !ANALYTICS_SERVICES.includes(service));
}

/** What a tenant's containers may use in all: the sum of their limits, as placement counts it against a host. */
export interface DeclaredLimits {
    readonly memoryMb: number;
    readonly cpus: number;
}

export function declaredLimits(config: Pick<TenantConfig, "analyticsEnabled" | `${ServiceName}MemoryMb` | `${ServiceName}Cpus`>): DeclaredLimits {
    const services = enabledServices(config.analyticsEnabled);
    return {
        memoryMb: services.reduce((sum, service) => sum + config[`${service}MemoryMb`], 0),
        // Hundredths: the sum of decimal limits stays exact ("0.5" + "0.1" is 0.6, not 0.6000000000000001).
        cpus: services.reduce((sum, service) => sum + Math.round(Number(config[`${service}Cpus`]) * 100), 0) / 100,
    };
}
