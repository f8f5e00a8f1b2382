/**
 * `fleet rotate <ref> <what>`: a new random value for one of the tenant's secrets (written to its
 * stack config, encrypted), or the next generation of its ES256 signing key, applied by an update or
 * only previewed. The update does the rest: for the Postgres password the component first applies it
 * inside the live database (components/postgresPasswordSync.ts); every container that reads the
 * value is replaced, and no other. What was rotated belongs to the stack from then on: `fleet sync`
 * keeps it (FLEET_OWNED_KEYS).
 */
import { randomInt } from "node:crypto";
import { GENERATED } from "../../components/secrets.js";
import type { OperationOutcome, SettingValue, StackPreview } from "./engine.js";
import { Fleet, FleetUsageError, type RunContext } from "./fleet.js";
import { TenantConfigError } from "../../components/config/load.js";
import { encodeSettingValue, releaseOfStack, tenantConfigFromStack, type EXTERNAL_SECRET_KEYS, type ROTATED_SECRET_KEYS } from "./stackConfig.js";
import { isAtLeast, RELEASE_NAMES, RELEASES, type ReleaseName } from "../../components/releases.js";

/**
 * What can be rotated, by its command-line name: the stack setting, who reads it, and how the new
 * value is made (a random secret, or the next signing-key generation).
 */
export const ROTATABLE_SECRETS = {
    "postgres-password": { kind: "secret", key: "postgresPassword", readBy: "the db and every service that logs in to it (the gateway keeps serving)" },
    "dashboard-password": { kind: "secret", key: "dashboardPassword", readBy: "the gateway (its basic auth for Studio)" },
    "jwt-secret": {
        kind: "secret",
        key: "jwtSecret",
        readBy: "every service that signs or verifies tokens, and the gateway (the anon and service-role keys are signed again); tokens signed with the old secret are refused from then on",
        rotated: "JWT secret rotated; the anon and service-role keys are new (fleet info shows them) and tokens signed with the old secret are refused",
    },
    "signing-key": {
        kind: "generation",
        key: "signingKeyGeneration",
        keep: "keepPreviousSigningKey",
        readBy: "auth, which signs with the new key, and every service that verifies tokens; the previous public key stays in the key sets (keepPreviousSigningKey)",
        rotated: "signing key rotated; the previous public key stays in the key sets until keepPreviousSigningKey is set to false",
        absent: "signing key (its tokens are HS256, signed with the JWT secret)",
    },
    "api-keys": {
        kind: "generation",
        key: "opaqueKeyGeneration",
        keep: "keepPreviousOpaqueKeys",
        readBy: "the gateway, Studio and functions; the gateway still accepts the previous pair (keepPreviousOpaqueKeys)",
        rotated: "publishable and secret keys rotated (fleet info shows them); the gateway accepts the previous pair until keepPreviousOpaqueKeys is set to false",
        absent: "publishable or secret keys (its API keys are the legacy anon and service-role keys)",
    },
    // Secrets of other systems: the new values come from the provider, by --from-env, in `keys` order.
    "smtp-password": { kind: "external", keys: ["smtpPassword"], readBy: "auth (its SMTP login)", rotated: "SMTP password replaced; auth restarted on it" },
    "s3-keys": {
        kind: "external",
        keys: ["s3AccessKeyId", "s3SecretAccessKey"],
        readBy: "storage (its S3 backend)",
        rotated: "S3 access key id and secret replaced; storage restarted on them",
    },
    "oauth-secret": { kind: "external", keys: ["authOAuthClientSecrets"], readBy: "auth (its OAuth providers)", rotated: "OAuth client secret replaced; auth restarted on it" },
} as const satisfies Record<
    string,
    | { kind: "secret"; key: (typeof ROTATED_SECRET_KEYS)[number]; readBy: string; rotated?: string }
    | { kind: "generation"; key: string; keep: string; readBy: string; rotated: string; absent: string }
    | { kind: "external"; keys: readonly (typeof EXTERNAL_SECRET_KEYS)[number][]; readBy: string; rotated: string }
>;

/** What a rotation of an external secret is given: the new values (read from the environment) and, for OAuth, the provider. */
export interface RotationOptions {
    readonly preview: boolean;
    readonly values?: readonly string[];
    readonly provider?: string;
}

/** What the CLI says once `secret` of `ref` is rotated. */
export function rotatedMessage(ref: string, secret: RotatableSecret): string {
    const rotation = ROTATABLE_SECRETS[secret];
    return "rotated" in rotation ? `${ref}: ${rotation.rotated}` : `${ref}: ${secret} rotated; fleet outputs ${ref} --show-secrets shows the new value`;
}

export type RotatableSecret = keyof typeof ROTATABLE_SECRETS;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A new value as the component generates them: same length, letters and digits (URL-safe). */
export function newSecretValue(length: number): string {
    let value = "";
    for (let i = 0; i < length; i += 1) value += ALPHABET[randomInt(ALPHABET.length)];
    return value;
}

export function parseRotatable(name: string | undefined): RotatableSecret {
    if (name !== undefined && name in ROTATABLE_SECRETS) return name as RotatableSecret;
    throw new FleetUsageError(`fleet rotate needs what to rotate after the ref: one of ${Object.keys(ROTATABLE_SECRETS).join(", ")}${name === undefined ? "" : ` (got "${name}")`}`);
}

export type RotationOutcome = { readonly preview: StackPreview; readonly restarts: readonly string[] } | { readonly up: OperationOutcome };

/**
 * The refusals that need no change: an unknown ref, a secret the registry states, a paused tenant
 * (the Postgres password is applied inside its running database). The CLI runs it before the
 * operation starts, so they are usage errors.
 */
export async function checkRotation(fleet: Fleet, ref: string, secret: RotatableSecret, options: RotationOptions): Promise<void> {
    const rotation = ROTATABLE_SECRETS[secret];
    await fleet.resolveRefs([ref], false);
    const stated = rotationKeys(secret).find((key) => fleet.registry?.tenants.find((tenant) => tenant.ref === ref)?.settings[key] !== undefined);
    if (stated !== undefined) {
        throw new FleetUsageError(`${ref}'s ${stated} is set in ${fleet.registry!.source}: rotate it there (a new value, then fleet sync --up)`);
    }
    if (rotation.kind === "external" && fleet.registry?.tenants.some((tenant) => tenant.ref === ref)) {
        throw new FleetUsageError(`${ref} is in ${fleet.registry.source}, which states its ${rotation.keys.join(" and ")} (fleet sync writes them): put the new value there (fromEnv), then fleet sync --up`);
    }
    const config = await fleet.engine.getConfig(ref);
    const release = releaseOfStack(config);
    const atLeast082 = (RELEASE_NAMES as readonly string[]).includes(release) && isAtLeast(RELEASES[release as ReleaseName], "0.8.2");
    if (rotation.kind === "generation" && !atLeast082) throw new FleetUsageError(`${ref} runs release ${release}, which has no ${rotation.absent}`);
    if (rotation.kind === "external") externalChanges(ref, secret, config, options);
    else if (options.values !== undefined || options.provider !== undefined) {
        const external = Object.entries(ROTATABLE_SECRETS).filter(([, each]) => each.kind === "external").map(([name]) => name);
        throw new FleetUsageError(`${options.values !== undefined ? "--from-env" : "--provider"}: only ${external.join(", ")} take a value; the fleet makes the new ${secret} itself`);
    }
    if (secret === "postgres-password" && !options.preview && config.paused === "true") {
        throw new FleetUsageError(`${ref} is paused: the new Postgres password is applied inside its running database; fleet resume ${ref} first`);
    }
    if (secret === "jwt-secret") {
        // Keys given by hand are signed with the old secret: they would all stop working.
        const given = ["anonKey", "serviceRoleKey"].filter((key) => config[key] !== undefined && config[key] !== "");
        if (given.length > 0) throw new FleetUsageError(`${ref} sets ${given.join(" and ")} itself, signed with the current JWT secret: remove ${given.length > 1 ? "them" : "it"} from the stack (they are then signed from the new secret), or rotate by giving jwtSecret and the keys together`);
        if (!options.preview && config.paused === "true" && !atLeast082) {
            throw new FleetUsageError(`${ref} is paused: on release ${release} the new JWT secret is applied inside its running database too; fleet resume ${ref} first`);
        }
    }
}

/**
 * Rotates `secret` of `ref`. With `preview`, the new value is in the config only while the preview
 * runs; the stack's config is put back as it was afterwards, whatever happened.
 */
export async function rotateSecret(fleet: Fleet, ref: string, secret: RotatableSecret, options: RotationOptions, context: RunContext = {}): Promise<RotationOutcome> {
    await checkRotation(fleet, ref, secret, options);
    const config = await fleet.engine.getConfig(ref);
    const rotation = ROTATABLE_SECRETS[secret];
    // The settings the rotation writes, and whether they are secret.
    const changes: Record<string, SettingValue> =
        rotation.kind === "secret"
            ? { [rotation.key]: newSecretValue(GENERATED[rotation.key].length) }
            : rotation.kind === "external"
              ? externalChanges(ref, secret, config, options)
              : { [rotation.key]: String(Number(config[rotation.key] ?? "1") + 1), [rotation.keep]: "true" };
    const secretKeys = rotation.kind === "generation" ? [] : Object.keys(changes);
    const previous = Object.fromEntries(Object.keys(changes).map((key) => [key, config[key]]));
    await fleet.engine.setConfig(ref, changes, secretKeys);
    if (!options.preview) return { up: await fleet.up(ref, context) };
    try {
        const preview = await fleet.preview(ref, true, context);
        // The steps, not the raw engine events (as fleet preview reports them).
        return { preview: { ...preview, events: [] }, restarts: restartedContainers(preview) };
    } finally {
        const unset = Object.keys(previous).filter((key) => previous[key] === undefined);
        // A list comes back from the stack as JSON text and goes in as a list again.
        const kept = Object.fromEntries(
            Object.entries(previous).flatMap(([key, value]) => (value === undefined ? [] : [[key, Array.isArray(changes[key]) ? (JSON.parse(value) as string[]) : value]])),
        ) as Record<string, SettingValue>;
        if (unset.length) await fleet.engine.removeConfig(ref, unset);
        if (Object.keys(kept).length) await fleet.engine.setConfig(ref, kept, secretKeys);
    }
}

/** The stack settings a rotation writes. */
function rotationKeys(secret: RotatableSecret): readonly string[] {
    const rotation = ROTATABLE_SECRETS[secret];
    return rotation.kind === "external" ? rotation.keys : [rotation.key];
}

/**
 * The settings an external rotation writes, from the values it was given; a usage error (one line,
 * never a value) when they are missing or the tenant's config does not accept them.
 */
function externalChanges(ref: string, secret: RotatableSecret, config: Readonly<Record<string, string>>, options: RotationOptions): Record<string, SettingValue> {
    const rotation = ROTATABLE_SECRETS[secret];
    if (rotation.kind !== "external") return {};
    const values = options.values ?? [];
    if (values.length !== rotation.keys.length || values.some((value) => value === "")) {
        const names = rotation.keys.length > 1 ? `${rotation.keys.length} variables, comma-separated: ${rotation.keys.join(", ")}` : `a variable holding the new ${rotation.keys[0]}`;
        throw new FleetUsageError(`fleet rotate ${ref} ${secret} needs --from-env with ${names} (the new value comes from your provider; it is never printed)`);
    }
    if (secret !== "oauth-secret") {
        if (options.provider !== undefined) throw new FleetUsageError(`--provider: only oauth-secret takes a provider`);
        const changes = Object.fromEntries(rotation.keys.map((key, index) => [key, values[index]!]));
        validated(ref, config, changes);
        return changes;
    }
    const providers = parseList(config.authOAuthProviders).map((entry) => entry.split(":")[0]!);
    if (options.provider === undefined || !providers.includes(options.provider)) {
        throw new FleetUsageError(`fleet rotate ${ref} oauth-secret needs --provider with one of the tenant's providers: ${providers.length ? providers.join(", ") : "(none: authOAuthProviders is empty)"}`);
    }
    const secrets = parseList(config.authOAuthClientSecrets).filter((entry) => !entry.startsWith(`${options.provider}:`));
    const changes = { authOAuthClientSecrets: [...secrets, `${options.provider}:${values[0]}`].sort() };
    validated(ref, config, changes);
    return changes;
}

function parseList(text: string | undefined): string[] {
    if (text === undefined || text === "") return [];
    try {
        const parsed = JSON.parse(text) as unknown;
        return Array.isArray(parsed) ? parsed.map(String) : [];
    } catch {
        return [];
    }
}

/** The tenant's config with the changes must still be valid: the same rules as `pulumi up`, before anything is written. */
function validated(ref: string, config: Readonly<Record<string, string>>, changes: Readonly<Record<string, SettingValue>>): void {
    try {
        tenantConfigFromStack(ref, { ...config, ...Object.fromEntries(Object.entries(changes).map(([key, value]) => [key, encodeSettingValue(value)])) });
    } catch (error) {
        if (error instanceof TenantConfigError) throw new FleetUsageError(error.message);
        throw error;
    }
}

const CONTAINER_TYPE = "docker:index/container:Container";

/** The containers a preview replaces (a container with new settings restarts), by resource name. */
export function restartedContainers(preview: StackPreview): string[] {
    return preview.steps
        .filter((step) => step.type === CONTAINER_TYPE && ["replace", "create-replacement", "delete-replaced", "update"].includes(step.op))
        .map((step) => step.urn.slice(step.urn.lastIndexOf("::") + 2))
        .filter((name, index, all) => all.indexOf(name) === index)
        .sort();
}
