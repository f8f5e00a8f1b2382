/**
 * How settings are written to and read back from stack config: Pulumi stores every value as text
 * (numbers as "8000", arrays as JSON), and `parseTenantConfig` turns that text back into typed values.
 */
import { parseTenantConfig } from "../../components/config/load.js";
import { SECRET_SETTING_KEYS, type TenantConfig } from "../../components/config/schema.js";
import { DEFAULT_RELEASE, RELEASES, RELEASE_NAMES, UNSET_RELEASE, type ReleaseName } from "../../components/releases.js";
import type { SettingValue } from "./engine.js";

/** Settings the fleet itself manages: never removed by `sync` even though fleet.yaml does not list them. */
/** Secrets `fleet rotate` writes into a stack; from then on they are the stack's own. */
export const ROTATED_SECRET_KEYS = ["postgresPassword", "dashboardPassword", "jwtSecret"] as const;
/** Set by `fleet rotate <ref> signing-key|api-keys`; the stack's own from then on, like a rotated secret. */
export const KEY_ROTATION_KEYS = ["signingKeyGeneration", "keepPreviousSigningKey", "opaqueKeyGeneration", "keepPreviousOpaqueKeys"] as const;
/** fleet upgrade-db's record of the tenant's data volumes. */
export const DATA_GENERATION_KEYS = ["dbDataGeneration", "dbDataKeptGeneration"] as const;
/** fleet move's record of the host that keeps the tenant's old volumes. */
export const MOVE_KEYS = ["movedFromHost"] as const;
export const FLEET_OWNED_KEYS: readonly string[] = ["paused", ...ROTATED_SECRET_KEYS, ...KEY_ROTATION_KEYS, ...DATA_GENERATION_KEYS, ...MOVE_KEYS];
/**
 * Secrets of other systems that `fleet rotate` writes (a value from the provider), for tenants that
 * fleet.yaml does not list: for a listed one the registry states them, and is where they change.
 */
export const EXTERNAL_SECRET_KEYS = ["smtpPassword", "s3AccessKeyId", "s3SecretAccessKey", "authOAuthClientSecrets"] as const;

/**
 * Settings recorded in a tenant's stack when it is created and kept for its whole life while the
 * registry does not state them: a tenant never changes release because the default for new ones did.
 */
export const RECORDED_RELEASE_KEYS = ["release", "gateway", "dbDataPostgresMajor"] as const;

/**
 * The release settings a new tenant's stack is created with: the release stated (else the default for
 * new tenants) and, unless stated too, that release's gateway for new tenants and its Postgres major
 * for the (new, empty) data directory.
 */
export function newTenantReleaseSettings(stated: Readonly<Record<string, unknown>>): Record<string, SettingValue> {
    const release = stated.release ?? DEFAULT_RELEASE;
    // An unknown release is left for validation to report.
    if (!(RELEASE_NAMES as readonly unknown[]).includes(release)) return {};
    const chosen = RELEASES[release as ReleaseName];
    return {
        release: chosen.name,
        gateway: (stated.gateway as string | undefined) ?? chosen.newTenantGateway,
        dbDataPostgresMajor: (stated.dbDataPostgresMajor as number | undefined) ?? chosen.postgresMajor,
    };
}

/** The release a stack runs, as the program reads its config (unset: the release of stacks made before releases). */
export function releaseOfStack(stackConfig: Readonly<Record<string, string>>): string {
    return stackConfig.release ?? UNSET_RELEASE;
}

/** The release settings an existing stack recorded (none for a stack made before releases existed). */
export function recordedReleaseSettings(stackConfig: Readonly<Record<string, string>>): Record<string, SettingValue> {
    return Object.fromEntries(RECORDED_RELEASE_KEYS.filter((key) => stackConfig[key] !== undefined).map((key) => [key, stackConfig[key]!]));
}

/** The four host ports every tenant publishes, allocated per Docker host. */
export const PORT_KEYS = ["kongHttpPort", "kongHttpsPort", "postgresPort", "poolerTransactionPort"] as const;
export type PortKey = (typeof PORT_KEYS)[number];
export type TenantPorts = Record<PortKey, number>;

export function encodeSettingValue(value: SettingValue): string {
    if (Array.isArray(value)) return JSON.stringify(value);
    return String(value);
}

/** The secret keys among the given settings: they are written with `secret: true`. */
export function secretKeysOf(settings: Readonly<Record<string, unknown>>): string[] {
    return SECRET_SETTING_KEYS.filter((key) => settings[key] !== undefined);
}

/** Validates a stack's config as the program will: the stack name stands in for an unset `ref`. */
export function tenantConfigFromStack(ref: string, stackConfig: Readonly<Record<string, string>>): TenantConfig {
    return parseTenantConfig({ ref, ...stackConfig }, `stack ${ref}`, `${ref}: supabase-fleet:`);
}

export function portsOf(config: TenantConfig): TenantPorts {
    return {
        kongHttpPort: config.kongHttpPort,
        kongHttpsPort: config.kongHttpsPort,
        postgresPort: config.postgresPort,
        poolerTransactionPort: config.poolerTransactionPort,
    };
}

export function isPaused(stackConfig: Readonly<Record<string, string>>): boolean {
    return stackConfig.paused === "true";
}
