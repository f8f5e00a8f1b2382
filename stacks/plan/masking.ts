/**
 * Masking of values in Pulumi's wire form (what the SDK sends to the engine, and what the mocks see):
 * a value is secret only when Pulumi marked it so (the secret signature object), and unknown only
 * when Pulumi sent its unknown sentinel. No guessing from key names.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlanValue } from "./document.js";

/** Shown instead of a value Pulumi holds as secret. */
export const SECRET_MARK = "[secret]";
/** Shown instead of a value known only after deployment (e.g. an id the provider assigns). */
export const UNKNOWN_MARK = "[unknown]";

/** The SDK's own wire markers (the engine depends on them, so they never change). */
export const SIG_KEY = pulumi.runtime.specialSigKey;
export const SECRET_SIG = pulumi.runtime.specialSecretSig;
export const UNKNOWN_VALUE = pulumi.runtime.unknownValue;
const RESOURCE_SIG = pulumi.runtime.specialResourceSig;
const ASSET_SIG = pulumi.runtime.specialAssetSig;
const ARCHIVE_SIG = pulumi.runtime.specialArchiveSig;
const OUTPUT_SIG = pulumi.runtime.specialOutputValueSig;

/** Env entries `NAME=value` whose value is secret keep their name: the name is not the secret. */
const ENV_ENTRY = /^([A-Za-z_][A-Za-z0-9_.-]*)=/;

export interface MaskOptions {
    /** Turns a resource URN into the name shown for a resource reference. */
    readonly nameOfUrn: (urn: string) => string;
}

/**
 * Masks a wire-form value. `path` is the property path (used only for the env-name rule: inside a
 * property named `envs`, a secret `NAME=value` entry becomes `NAME=[secret]`).
 */
export function maskWireValue(value: unknown, options: MaskOptions, path: readonly string[] = []): PlanValue {
    if (value === UNKNOWN_VALUE) return UNKNOWN_MARK;
    if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
    if (value === undefined) return null;
    if (Array.isArray(value)) {
        const inEnvs = path[path.length - 1] === "envs";
        return value.map((element) => (inEnvs ? maskEnvEntry(element, options, path) : maskWireValue(element, options, path)));
    }
    if (typeof value !== "object") throw new Error(`unexpected ${typeof value} in wire value at ${path.join(".") || "(root)"}`);

    const object = value as Record<string, unknown>;
    switch (object[SIG_KEY]) {
        case undefined:
            break;
        case SECRET_SIG:
            return SECRET_MARK;
        case OUTPUT_SIG:
            // An output value carries its own flags: secret wins over unknown, as in the engine's display.
            if (object.secret === true) return SECRET_MARK;
            return "value" in object ? maskWireValue(object.value, options, path) : UNKNOWN_MARK;
        case RESOURCE_SIG:
            return { resource: options.nameOfUrn(String(object.urn)) };
        case ASSET_SIG:
            return { asset: maskWireValue(withoutSig(object), options, path) };
        case ARCHIVE_SIG:
            return { archive: maskWireValue(withoutSig(object), options, path) };
        default:
            throw new Error(`unknown Pulumi signature ${String(object[SIG_KEY])} at ${path.join(".") || "(root)"}`);
    }
    const masked: { [key: string]: PlanValue } = {};
    for (const key of Object.keys(object)) masked[key] = maskWireValue(object[key], options, [...path, key]);
    return masked;
}

function maskEnvEntry(element: unknown, options: MaskOptions, path: readonly string[]): PlanValue {
    if (isSecret(element)) {
        const plain = (element as Record<string, unknown>).value;
        const name = typeof plain === "string" ? ENV_ENTRY.exec(plain)?.[1] : undefined;
        return name === undefined ? SECRET_MARK : `${name}=${SECRET_MARK}`;
    }
    return maskWireValue(element, options, path);
}

function isSecret(value: unknown): boolean {
    return value !== null && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

function withoutSig(object: Record<string, unknown>): Record<string, unknown> {
    const rest = { ...object };
    delete rest[SIG_KEY];
    return rest;
}

/** Masks every value of a wire-form property map. */
export function maskWireProperties(properties: Record<string, unknown>, options: MaskOptions): { [key: string]: PlanValue } {
    const masked: { [key: string]: PlanValue } = {};
    for (const key of Object.keys(properties)) masked[key] = maskWireValue(properties[key], options, [key]);
    return masked;
}
