/**
 * Every service module, and the start graph derived from them (the one source of the order in
 * which containers are created by `pulumi up` and started by `fleet resume`).
 */
import { ANALYTICS_SERVICES, SERVICE_NAMES, type ServiceName } from "../catalog.js";
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

/** Which services must be healthy before each one starts. */
export const START_DEPENDENCIES: Readonly<Record<ServiceName, readonly ServiceName[]>> = Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, SERVICE_MODULES[service].dependsOn]),
) as Record<ServiceName, readonly ServiceName[]>;

/** The services a tenant runs: all of them, less analytics and vector when analytics is off. */
export function enabledServices(analyticsEnabled: boolean): ServiceName[] {
    return SERVICE_NAMES.filter((service) => analyticsEnabled || !ANALYTICS_SERVICES.includes(service));
}
