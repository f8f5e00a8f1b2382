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
