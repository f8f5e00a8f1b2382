/**
 * Reading property values out of Pulumi's serialised inputs without ever exposing a secret.
 *
 * Pulumi marks a secret either as the string "[secret]" (`pulumi preview --json`, the offline plan) or as
 * a signature object `{ "4dabf1…": "1b4706…", ciphertext | plaintext | value }` (engine events). Unknown
 * (computed) values appear as a fixed UUID string or, in the plan, as "[unknown]".
 */
import type { DisplayValue } from "./types.js";

const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
const ASSET_SIGNATURE = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIGNATURE = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN_STRINGS = new Set(["04da6b54-80e4-46f7-96ec-b56ff0331ba9", "[unknown]"]);
const SECRET_STRING = "[secret]";

/** Longest value text shown inline; longer values are cut with an ellipsis. */
export const MAX_VALUE_CHARS = 80;

export function isSecretMarker(value: unknown): boolean {
    if (value === SECRET_STRING) return true;
    return isPlainObject(value) && value[SIGNATURE_KEY] === SECRET_SIGNATURE;
}

export function isUnknownMarker(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_STRINGS.has(value);
}

/** True when a secret marker sits anywhere inside the value. */
export function containsSecret(value: unknown): boolean {
    if (isSecretMarker(value)) return true;
    if (Array.isArray(value)) return value.some(containsSecret);
    if (isPlainObject(value)) return Object.values(value).some(containsSecret);
    return false;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Splits a Pulumi property path (`a.b[0]["c.d"]`) into keys and indexes. */
export function parsePropertyPath(path: string): (string | number)[] {
    const segments: (string | number)[] = [];
    let i = 0;
    let name = "";
    const flushName = () => {
        if (name !== "") segments.push(name);
        name = "";
    };
    while (i < path.length) {
        const ch = path[i]!;
        if (ch === ".") {
            flushName();
            i++;
        } else if (ch === "[") {
            flushName();
            const close = path.indexOf("]", i);
            if (close < 0) return [...segments, path.slice(i)];
            const inner = path.slice(i + 1, close);
            if (/^\d+$/.test(inner)) segments.push(Number(inner));
            else if (inner.startsWith('"')) {
                // Quoted keys may contain "." or "]": read up to the closing quote.
                const end = path.indexOf('"]', i + 2);
                const quoted = path.slice(i + 1, end + 1);
                segments.push(JSON.parse(quoted) as string);
                i = end + 2;
                continue;
            } else segments.push(inner);
            i = close + 1;
        } else {
            name += ch;
            i++;
        }
    }
    flushName();
    return segments;
}

/** The first segment of a path: the resource property a change belongs to. */
export function topLevelProperty(path: string): string {
    const first = parsePropertyPath(path)[0];
    return first === undefined ? path : String(first);
}

export type Lookup = { kind: "absent" } | { kind: "secret" } | { kind: "unknown" } | { kind: "value"; value: unknown };

/** Follows a path through serialised inputs, stopping at the first secret or unknown on the way. */
export function lookupPath(root: unknown, path: string): Lookup {
    let current: unknown = root;
    for (const segment of parsePropertyPath(path)) {
        if (isSecretMarker(current)) return { kind: "secret" };
        if (isUnknownMarker(current)) return { kind: "unknown" };
        if (typeof segment === "number" && Array.isArray(current)) current = current[segment];
        else if (isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, String(segment))) {
            current = current[String(segment)];
        } else return { kind: "absent" };
        if (current === undefined) return { kind: "absent" };
    }
    return classify(current);
}

export function classify(value: unknown): Lookup {
    if (value === undefined) return { kind: "absent" };
    if (containsSecret(value)) return { kind: "secret" };
    if (isUnknownMarker(value)) return { kind: "unknown" };
    return { kind: "value", value };
}

/** Turns a looked-up value into text that is safe to print; `hideValue` forces names-only output. */
export function toDisplayValue(found: Lookup, hideValue = false): DisplayValue {
    if (found.kind !== "value") return found;
    if (hideValue || looksLikeCredential(found.value)) return { kind: "secret" };
    return { kind: "value", text: clip(describe(found.value)) };
}

function describe(value: unknown): string {
    if (typeof value === "string") return value;
    if (isPlainObject(value) && value[SIGNATURE_KEY] === ASSET_SIGNATURE) return "(asset)";
    if (isPlainObject(value) && value[SIGNATURE_KEY] === ARCHIVE_SIGNATURE) return "(archive)";
    return JSON.stringify(value) ?? String(value);
}

function clip(text: string): string {
    const oneLine = text.replace(/\r?\n/g, "⏎");
    return oneLine.length > MAX_VALUE_CHARS ? `${oneLine.slice(0, MAX_VALUE_CHARS - 1)}…` : oneLine;
}

/** A URL with a password in it (`postgres://user:pass@host`) is a secret even when nobody marked it. */
function looksLikeCredential(value: unknown): boolean {
    const text = typeof value === "string" ? value : JSON.stringify(value) ?? "";
    return /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s/]+@/i.test(text);
}

/** Environment variable names whose values are treated as secrets even when not marked as such. */
export function isSensitiveName(name: string): boolean {
    return /(PASSWORD|PASSWD|SECRET|TOKEN|JWT|KEY|CREDENTIAL|PRIVATE|DSN|DATABASE_URL|CONNECTION_STRING)/i.test(name);
}
