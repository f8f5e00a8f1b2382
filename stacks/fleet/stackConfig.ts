/**
 * How settings are written to and read back from stack config: Pulumi stores every value as text
 * (numbers as "8000", arrays as JSON), and `parseTenantConfig` turns that text back into typed values.
 */
import { parseTenantConfig } from "../../components/config/load.js";
import { SECRET_SETTING_KEYS, type TenantConfig } from "../../components/config/schema.js";
import type { SettingValue } from "./engine.js";

/** Settings the fleet itself manages: never removed by `sync` even though fleet.yaml does not list them. */
export const FLEET_OWNED_KEYS: readonly string[] = ["paused"];

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
