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
import type { OperationOutcome, StackPreview } from "./engine.js";
import { Fleet, FleetUsageError, type RunContext } from "./fleet.js";
import { releaseOfStack, type ROTATED_SECRET_KEYS } from "./stackConfig.js";
import { isAtLeast, RELEASE_NAMES, RELEASES, type ReleaseName } from "../../components/releases.js";

/**
 * What can be rotated, by its command-line name: the stack setting, who reads it, and how the new
 * value is made (a random secret, or the next signing-key generation).
 */
export const ROTATABLE_SECRETS = {
    "postgres-password": { kind: "secret", key: "postgresPassword", readBy: "the db and every service that logs in to it (the gateway keeps serving)" },
    "dashboard-password": { kind: "secret", key: "dashboardPassword", readBy: "the gateway (its basic auth for Studio)" },
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
} as const satisfies Record<
    string,
    | { kind: "secret"; key: (typeof ROTATED_SECRET_KEYS)[number]; readBy: string }
    | { kind: "generation"; key: string; keep: string; readBy: string; rotated: string; absent: string }
>;

/** What the CLI says once `secret` of `ref` is rotated. */
export function rotatedMessage(ref: string, secret: RotatableSecret): string {
    const rotation = ROTATABLE_SECRETS[secret];
    return rotation.kind === "generation" ? `${ref}: ${rotation.rotated}` : `${ref}: ${secret} rotated; fleet outputs ${ref} --show-secrets shows the new value`;
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
export async function checkRotation(fleet: Fleet, ref: string, secret: RotatableSecret, options: { preview: boolean }): Promise<void> {
    const rotation = ROTATABLE_SECRETS[secret];
    await fleet.resolveRefs([ref], false);
    if (fleet.registry?.tenants.find((tenant) => tenant.ref === ref)?.settings[rotation.key] !== undefined) {
        throw new FleetUsageError(`${ref}'s ${rotation.key} is set in ${fleet.registry.source}: rotate it there (a new value, then fleet sync --up)`);
    }
    const config = await fleet.engine.getConfig(ref);
    if (rotation.kind === "generation") {
        const release = releaseOfStack(config);
        const known = (RELEASE_NAMES as readonly string[]).includes(release) ? RELEASES[release as ReleaseName] : undefined;
        if (!known || !isAtLeast(known, "0.8.2")) throw new FleetUsageError(`${ref} runs release ${release}, which has no ${rotation.absent}`);
    }
    if (secret === "postgres-password" && !options.preview && config.paused === "true") {
        throw new FleetUsageError(`${ref} is paused: the new Postgres password is applied inside its running database; fleet resume ${ref} first`);
    }
}

/**
 * Rotates `secret` of `ref`. With `preview`, the new value is in the config only while the preview
 * runs; the stack's config is put back as it was afterwards, whatever happened.
 */
export async function rotateSecret(fleet: Fleet, ref: string, secret: RotatableSecret, options: { preview: boolean }, context: RunContext = {}): Promise<RotationOutcome> {
    await checkRotation(fleet, ref, secret, options);
    const config = await fleet.engine.getConfig(ref);
    const rotation = ROTATABLE_SECRETS[secret];
    // The settings the rotation writes, and whether they are secret.
    const changes: Record<string, string> =
        rotation.kind === "secret"
            ? { [rotation.key]: newSecretValue(GENERATED[rotation.key].length) }
            : { [rotation.key]: String(Number(config[rotation.key] ?? "1") + 1), [rotation.keep]: "true" };
    const secretKeys = rotation.kind === "secret" ? [rotation.key] : [];
    const previous = Object.fromEntries(Object.keys(changes).map((key) => [key, config[key]]));
    await fleet.engine.setConfig(ref, changes, secretKeys);
    if (!options.preview) return { up: await fleet.up(ref, context) };
    try {
        const preview = await fleet.preview(ref, true, context);
        // The steps, not the raw engine events (as fleet preview reports them).
        return { preview: { ...preview, events: [] }, restarts: restartedContainers(preview) };
    } finally {
        const unset = Object.keys(previous).filter((key) => previous[key] === undefined);
        const kept = Object.fromEntries(Object.entries(previous).filter(([, value]) => value !== undefined)) as Record<string, string>;
        if (unset.length) await fleet.engine.removeConfig(ref, unset);
        if (Object.keys(kept).length) await fleet.engine.setConfig(ref, kept, secretKeys);
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
