/**
 * `fleet rotate <ref> <secret>`: a new random value for one of the tenant's secrets, written to its
 * stack config (encrypted) and applied by an update, or only previewed. The update does the rest:
 * for the Postgres password the component first applies it inside the live database
 * (components/postgresPasswordSync.ts); every container that reads the secret is replaced, and no
 * other. A rotated secret belongs to the stack from then on: `fleet sync` keeps it (FLEET_OWNED_KEYS).
 */
import { randomInt } from "node:crypto";
import { GENERATED } from "../../components/secrets.js";
import type { OperationOutcome, StackPreview } from "./engine.js";
import { Fleet, FleetUsageError, type RunContext } from "./fleet.js";
import type { ROTATED_SECRET_KEYS } from "./stackConfig.js";

/** What can be rotated, by its command-line name: the stack setting and who reads it. */
export const ROTATABLE_SECRETS = {
    "postgres-password": { key: "postgresPassword", readBy: "the db and every service that logs in to it (the gateway keeps serving)" },
    "dashboard-password": { key: "dashboardPassword", readBy: "the gateway (its basic auth for Studio)" },
} as const satisfies Record<string, { key: (typeof ROTATED_SECRET_KEYS)[number]; readBy: string }>;

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
    const { key } = ROTATABLE_SECRETS[secret];
    await fleet.resolveRefs([ref], false);
    if (fleet.registry?.tenants.find((tenant) => tenant.ref === ref)?.settings[key] !== undefined) {
        throw new FleetUsageError(`${ref}'s ${key} is set in ${fleet.registry.source}: rotate it there (a new value, then fleet sync --up)`);
    }
    if (secret === "postgres-password" && !options.preview && (await fleet.engine.getConfig(ref)).paused === "true") {
        throw new FleetUsageError(`${ref} is paused: the new Postgres password is applied inside its running database; fleet resume ${ref} first`);
    }
}

/**
 * Rotates `secret` of `ref`. With `preview`, the new value is in the config only while the preview
 * runs; the stack's config is put back as it was afterwards, whatever happened.
 */
export async function rotateSecret(fleet: Fleet, ref: string, secret: RotatableSecret, options: { preview: boolean }, context: RunContext = {}): Promise<RotationOutcome> {
    const { key } = ROTATABLE_SECRETS[secret];
    await checkRotation(fleet, ref, secret, options);
    const previous = (await fleet.engine.getConfig(ref))[key];
    await fleet.engine.setConfig(ref, { [key]: newSecretValue(GENERATED[key].length) }, [key]);
    if (!options.preview) return { up: await fleet.up(ref, context) };
    try {
        const preview = await fleet.preview(ref, true, context);
        // The steps, not the raw engine events (as fleet preview reports them).
        return { preview: { ...preview, events: [] }, restarts: restartedContainers(preview) };
    } finally {
        if (previous === undefined) await fleet.engine.removeConfig(ref, [key]);
        else await fleet.engine.setConfig(ref, { [key]: previous }, [key]);
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
