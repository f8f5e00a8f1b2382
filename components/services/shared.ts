/**
 * Values more than one service uses, computed in one place.
 */
import * as pulumi from "@pulumi/pulumi";
import { INTERNAL_PORTS, SERVICE_CATALOG } from "../catalog.js";
import { keepsPrevious, type AsymmetricKeys } from "../asymmetricKeys.js";
import type { TenantSettings } from "../config/secrets.js";
import { isAtLeast, type Release } from "../releases.js";
import type { HealthCheck, ServiceContext } from "./types.js";

export const POSTGRES_DB = "postgres";
/** The image's admin role; the `_supabase` database and the service schemas belong to it. */
export const SUPABASE_ADMIN = "supabase_admin";
/** The role Studio and meta connect as from 0.8.2 on. */
export const DASHBOARD_DB_USER = "postgres";
/** Database of analytics and supavisor metadata, created by the init SQL. */
export const SUPABASE_INTERNAL_DB = "_supabase";

/** Connection URL to the tenant's db as `user`; secret because it carries the password. */
export function databaseUrl(
    context: ServiceContext,
    options: { scheme: "postgres" | "postgresql" | "ecto"; user: string; database?: string },
): pulumi.Output<string> {
    const host = SERVICE_CATALOG.db.alias;
    const database = options.database ?? POSTGRES_DB;
    return pulumi.secret(
        pulumi.interpolate`${options.scheme}://${options.user}:${context.secrets.postgresPassword}@${host}:${INTERNAL_PORTS.db}/${database}`,
    );
}

/** The gateway's name since upstream 0.8.0; the kong container answers to it as well from 0.8.2 on. */
export const API_GATEWAY_ALIAS = "api-gw";

/** The gateway inside the tenant network: services call each other through it, never through the public URL. */
export function internalGatewayUrl(release: Release): string {
    const host = isAtLeast(release, "0.8.2") ? API_GATEWAY_ALIAS : SERVICE_CATALOG.kong.alias;
    return `http://${host}:${INTERNAL_PORTS.kongHttp}`;
}
export const ANALYTICS_URL = `http://${SERVICE_CATALOG.analytics.alias}:${INTERNAL_PORTS.analytics}`;

/** Health check timings: most services answer within seconds; `retries` bounds a slow first start. */
export function healthCheck(test: readonly string[], options: Partial<Omit<HealthCheck, "test">> = {}): HealthCheck {
    return { test, interval: options.interval ?? "5s", timeout: options.timeout ?? "5s", retries: options.retries ?? 10, ...(options.startPeriod ? { startPeriod: options.startPeriod } : {}) };
}

/** A health check that fetches a URL with the image's own Node.js (images without curl or wget). */
export function nodeFetchHealthCheck(url: string, options: Partial<Omit<HealthCheck, "test">> = {}): HealthCheck {
    const script = `fetch('${url}').then((r) => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))`;
    return healthCheck(["CMD", "node", "-e", script], options);
}

export const boolText = (value: boolean): string => (value ? "true" : "false");

/**
 * Environment entries made of the tenant's 0.8.2 keys (components/asymmetricKeys.ts), each a
 * secret; none for a release without them. `pick` names the variables and what each holds.
 */
export function asymmetricKeyEnv(context: ServiceContext, pick: Readonly<Record<string, (keys: AsymmetricKeys) => string>>): Record<string, pulumi.Output<string>> {
    const keys = context.secrets.asymmetricKeys;
    if (!keys) return {};
    return Object.fromEntries(Object.entries(pick).map(([name, value]) => [name, pulumi.secret(keys.apply(value))]));
}

/** Whether the gateway still accepts the previous opaque keys: after a rotation, while they are kept. */
export function keepsPreviousOpaqueKeys(settings: Pick<TenantSettings, "opaqueKeyGeneration" | "keepPreviousOpaqueKeys">): boolean {
    return keepsPrevious({ generation: settings.opaqueKeyGeneration, keepPrevious: settings.keepPreviousOpaqueKeys });
}

/** The edge runtime's form of a key list: named keys, the tenant's under `default`. */
export const defaultKeyJson = (key: string): string => JSON.stringify({ default: key });
