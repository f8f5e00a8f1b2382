/**
 * Turning raw settings (Pulumi stack config, or a tenant entry of the fleet registry) into a validated
 * `TenantConfig`, or into one line per problem that names the key and what is allowed.
 */
import type { z } from "zod";
import { OPAQUE_SECRET, PROVIDER_NAMESPACES } from "./constants.js";
import { escapeControlCharacters } from "./text.js";
import { PROJECT_NAME, SECRET_SETTING_KEYS, SETTINGS, SETTING_KEYS, tenantConfigSchema, type SettingKey, type TenantConfig } from "./schema.js";

export { OPAQUE_SECRET };

export class TenantConfigError extends Error {
    constructor(
        readonly problems: readonly string[],
        readonly source: string,
    ) {
        super(`Invalid tenant config (${source}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "TenantConfigError";
    }
}

function isSettingKey(key: string): key is SettingKey {
    return Object.prototype.hasOwnProperty.call(SETTINGS, key);
}

/**
 * Pulumi hands every config value over as a string (numbers as "8000", arrays as JSON); the fleet
 * registry hands over YAML values. Strings are converted by the kind the setting declares, so both
 * sources validate the same way; a value that does not convert is left as is for zod to reject.
 */
function coerce(key: string, raw: unknown): unknown {
    if (typeof raw !== "string" || !isSettingKey(key)) return raw;
    switch (SETTINGS[key].meta.kind) {
        case "integer":
            return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
        case "boolean":
            return raw === "true" ? true : raw === "false" ? false : raw;
        case "array":
            try {
                return JSON.parse(raw) as unknown;
            } catch {
                return raw;
            }
        case "string":
            return raw;
    }
}

/**
 * One setting read on its own, without the rules between settings: its value, or its default when
 * it is unset or does not validate (for reading what a stack declares even when its config is broken).
 */
export function settingOrDefault<K extends SettingKey>(key: K, raw: unknown): z.output<(typeof SETTINGS)[K]["schema"]> {
    const parsed = SETTINGS[key].schema.safeParse(raw === undefined || (typeof raw === "string" && isUnsetConfigValue(raw)) ? undefined : coerce(key, raw));
    return (parsed.success ? parsed.data : SETTINGS[key].schema.parse(undefined)) as z.output<(typeof SETTINGS)[K]["schema"]>;
}

/**
 * Validates raw settings keyed by bare setting name (`kongHttpPort`, not `supabase-fleet:kongHttpPort`).
 * `keyPrefix` is put before every key in messages, so they name the key as the user wrote it.
 */
export function parseTenantConfig(
    raw: Record<string, unknown>,
    source: string,
    keyPrefix = `${PROJECT_NAME}:`,
    /** Keys stored encrypted: their values are never shown, whatever the setting. */
    encryptedKeys: ReadonlySet<string> = new Set(),
    /** Problems found before parsing (how values are stored), reported with the parse's. */
    earlierProblems: readonly string[] = [],
): TenantConfig {
    const problems: string[] = [...earlierProblems];
    const coerced: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        // A non-secret stored encrypted would be decrypted into plaintext env, state and plan: refused,
        // and its value not validated further (so no message can show it).
        if (encryptedKeys.has(key) && isSettingKey(key) && !SETTINGS[key].meta.secret) {
            problems.push(`${keyPrefix}${key}: is not a secret setting but is stored encrypted; set it without --secret (\`pulumi config set ${keyPrefix}${key} <value>\`)`);
            continue;
        }
        coerced[key] = coerce(key, value);
    }
    const result = tenantConfigSchema.safeParse(coerced);
    if (result.success && problems.length === 0) return result.data as unknown as TenantConfig;

    for (const issue of result.error?.issues ?? []) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) problems.push(`${keyPrefix}${key}: ${unknownKeyMessage(key)}`);
            continue;
        }
        const key = issue.path.map(String).join(".");
        // The value at the issue's path: a list element's problem shows that element.
        const value = issue.path.length > 0 ? issue.path.reduce<unknown>((at, part) => (at as Record<PropertyKey, unknown> | undefined)?.[part as PropertyKey], coerced) : undefined;
        const shown = encryptedKeys.has(String(issue.path[0])) ? "" : describeValue(String(issue.path[0] ?? ""), value);
        problems.push(`${keyPrefix}${key}: ${issue.message}${shown}`);
    }
    // One line per problem, in a stable order; a key (or anything else) can never break a line.
    throw new TenantConfigError([...new Set(problems.map(escapeControlCharacters))].sort(), source);
}

function describeValue(key: string, value: unknown): string {
    if (value === undefined) return "";
    if (isSettingKey(key) && SETTINGS[key].meta.secret) return ""; // never echo a secret
    const text = JSON.stringify(value);
    // Credentials inside a non-secret value (user:password@ in a URL or Docker host) are not echoed either.
    if (text.includes("@")) return "";
    return text.length <= 80 ? ` (got ${text})` : "";
}

function unknownKeyMessage(key: string): string {
    const suggestion = closestKey(key);
    return suggestion
        ? `unknown setting; did you mean ${suggestion}? (all settings are listed in Pulumi.yaml)`
        : "unknown setting (all settings are listed in Pulumi.yaml)";
}

function closestKey(key: string): string | undefined {
    let best: { key: string; distance: number } | undefined;
    for (const candidate of SETTING_KEYS) {
        const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
        if (!best || distance < best.distance) best = { key: candidate, distance };
    }
    return best && best.distance <= Math.max(2, Math.floor(key.length / 4)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0]!;
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j]!;
            row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length]!;
}

/**
 * Reads the project's settings out of a Pulumi config map (`{"supabase-fleet:ref": "dev", "docker:host": …}`).
 * Keys of other namespaces (providers) are left alone. `ref` defaults to the stack name.
 */
/**
 * Pulumi.yaml gives every optional setting an empty default ("" or []), since Pulumi would otherwise
 * require it, and Pulumi reports those defaults as config: empty means unset.
 */
export const isUnsetConfigValue = (value: string): boolean => value === "" || value === "[]";

export function settingsFromPulumiConfig(allConfig: Record<string, string>, stackName: string): Record<string, unknown> {
    const prefix = `${PROJECT_NAME}:`;
    const settings: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(allConfig)) {
        if (fullKey.startsWith(prefix) && !isUnsetConfigValue(value)) settings[fullKey.slice(prefix.length)] = value;
    }
    if (settings.ref === undefined) settings.ref = stackName;
    return settings;
}

/**
 * Secret settings that are stored in plaintext in the stack config: they must be set with
 * `pulumi config set --secret`. `isSecret` tells whether Pulumi holds a key encrypted.
 */
export function plaintextSecretProblems(settings: Record<string, unknown>, isSecret: (fullKey: string) => boolean): string[] {
    return SECRET_SETTING_KEYS.filter((key) => settings[key] !== undefined && !isSecret(`${PROJECT_NAME}:${key}`)).map(
        (key) => `${PROJECT_NAME}:${key}: is a secret but is stored in plaintext; set it with \`pulumi config set --secret ${PROJECT_NAME}:${key} <value>\``,
    );
}

/**
 * Keys of another namespace than the project's: a typo (`supabase-flet:ref`) or a setting meant for
 * a provider this program does not configure would otherwise be ignored. Pulumi's own and the Docker
 * provider's namespaces are allowed.
 */
export function foreignNamespaceProblems(allConfig: Record<string, string>): string[] {
    const prefix = `${PROJECT_NAME}:`;
    const problems: string[] = [];
    for (const fullKey of Object.keys(allConfig)) {
        if (fullKey.startsWith(prefix) || PROVIDER_NAMESPACES.some((namespace) => fullKey.startsWith(`${namespace}:`))) continue;
        const bare = fullKey.slice(fullKey.indexOf(":") + 1);
        const hint = isSettingKey(bare) ? `; did you mean ${prefix}${bare}?` : ` (all listed in Pulumi.yaml; allowed namespaces besides: ${PROVIDER_NAMESPACES.join(", ")})`;
        problems.push(`${escapeControlCharacters(fullKey)}: is not a setting of this project; its settings are ${prefix}<key>${hint}`);
    }
    return problems;
}
