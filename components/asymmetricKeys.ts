/**
 * The API keys of release 0.8.2 (upstream's `utils/add-new-auth-keys.sh`): an EC P-256 signing key,
 * the key set auth signs with and the public key set the other services verify with (the HS256
 * secret stays in both, so the legacy keys keep working), ES256 anon and service-role JWTs, and the
 * opaque `sb_publishable_`/`sb_secret_` keys the gateway maps to those JWTs.
 *
 * Upstream draws all of it from a random source once. Here everything is derived from per-tenant
 * random seeds that Pulumi keeps in state, and ES256 signatures are deterministic (RFC 6979,
 * @noble/curves; Node's signer picks a random nonce): the same seeds always give the same bytes, so
 * an update or a preview never sees the keys change.
 *
 * Rotation of the signing key is a new generation: the key of generation g is derived from the seed
 * and g. Auth signs with the current generation; while `keepPreviousSigningKey` is on, the previous
 * generation's public key stays in both key sets (verify only), so a session signed before the
 * rotation keeps verifying until it expires.
 */
import { createHash } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";
import type { ApiKeyRole } from "./apiKeys.js";
import { API_KEY_ISSUED_AT } from "./config/constants.js";

/** The random inputs: each is a generated secret of the tenant (components/secrets.ts). */
export interface AsymmetricKeySeeds {
    readonly signingKeySeed: string;
    readonly publishableKeySeed: string;
    readonly secretKeySeed: string;
}

export interface AsymmetricKeys {
    /** `kid` of the signing key: its RFC 7638 thumbprint. Public. */
    readonly signingKeyId: string;
    /** JSON array: the private EC key and the HS256 secret as JWKs (GOTRUE_JWT_KEYS). */
    readonly jwtKeys: string;
    /** JSON object `{keys: [...]}`: the public EC key and the HS256 secret (what verifiers read). */
    readonly jwtJwks: string;
    /** The public EC key alone, `{keys: [...]}`: what auth serves at /.well-known/jwks.json. */
    readonly publicJwks: string;
    readonly anonKeyAsymmetric: string;
    readonly serviceRoleKeyAsymmetric: string;
    /** `sb_publishable_…`: public by design (it maps to the anon role). */
    readonly publishableKey: string;
    /** `sb_secret_…`: maps to the service role. */
    readonly secretKey: string;
    /** After a rotation of the opaque keys, while kept: the previous pair, still accepted by the gateway. */
    readonly previousPublishableKey?: string;
    readonly previousSecretKey?: string;
}

export const PUBLISHABLE_KEY_PREFIX = "sb_publishable_";
export const SECRET_KEY_PREFIX = "sb_secret_";
/** Upstream's fixed checksum context: the same on every install. */
const OPAQUE_CHECKSUM_CONTEXT = "supabase-self-hosted|";

const sha256 = (text: string): Buffer => createHash("sha256").update(text).digest();
const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");

/** An opaque key in upstream's format: prefix, 22 characters of 17 random bytes, `_`, an 8-character checksum. */
export function opaqueKey(prefix: string, randomBytes: Uint8Array): string {
    const body = `${prefix}${base64url(randomBytes).slice(0, 22)}`;
    return `${body}_${opaqueKeyChecksum(body)}`;
}

export function opaqueKeyChecksum(body: string): string {
    return base64url(sha256(`${OPAQUE_CHECKSUM_CONTEXT}${body}`)).slice(0, 8);
}

/** The private scalar of one generation: a hash of seed and generation, moved into [1, n-1] (a 2^-128 bias: irrelevant). */
function signingScalar(seed: string, generation: number): Uint8Array {
    const order = p256.Point.CURVE().n;
    const value = (BigInt(`0x${sha256(`supabase-fleet|es256-signing-key|${generation}|${seed}`).toString("hex")}`) % (order - 1n)) + 1n;
    return Uint8Array.from(Buffer.from(value.toString(16).padStart(64, "0"), "hex"));
}

interface SigningKey {
    readonly d: Uint8Array;
    readonly kid: string;
    /** The JWK fields every form of the key shares. */
    readonly common: Record<string, unknown>;
}

function signingKey(seed: string, generation: number): SigningKey {
    const d = signingScalar(seed, generation);
    const point = p256.getPublicKey(d, false); // 0x04 || x || y
    const coordinates = { crv: "P-256", kty: "EC", x: base64url(point.subarray(1, 33)), y: base64url(point.subarray(33, 65)) };
    // RFC 7638: the required members in lexicographic order, no spaces.
    const kid = base64url(sha256(JSON.stringify(coordinates)));
    return { d, kid, common: { kty: "EC", kid, use: "sig", alg: "ES256", ext: true, crv: "P-256", x: coordinates.x, y: coordinates.y } };
}

function signEs256(claims: Record<string, unknown>, kid: string, secretKey: Uint8Array): string {
    const signingInput = `${base64url(Buffer.from(JSON.stringify({ alg: "ES256", typ: "JWT", kid })))}.${base64url(Buffer.from(JSON.stringify(claims)))}`;
    // sha256 of the input, then r||s (the JWS form), deterministic nonce.
    const signature = p256.sign(Buffer.from(signingInput), secretKey, { prehash: true });
    return `${signingInput}.${base64url(signature)}`;
}

/** Where a rotatable key is: its generation and whether the previous one is still honoured. */
export interface KeyRotation {
    /** 1 for a new tenant; each rotation adds one. */
    readonly generation: number;
    /** Whether the previous generation is still accepted (the signing key: its public key stays in the key sets). */
    readonly keepPrevious: boolean;
}

/** Whether a rotation still honours the previous generation: there is one, and it is kept. */
export const keepsPrevious = (rotation: KeyRotation): boolean => rotation.keepPrevious && rotation.generation > 1;

export function deriveAsymmetricKeys(args: {
    readonly seeds: AsymmetricKeySeeds;
    readonly jwtSecret: string;
    readonly expiresAt: number;
    readonly signing?: KeyRotation;
    /** The opaque pair rotates together, as upstream's rotate-new-api-keys.sh does. */
    readonly opaque?: KeyRotation;
}): AsymmetricKeys {
    const signing = args.signing ?? { generation: 1, keepPrevious: true };
    const { generation } = signing;
    const current = signingKey(args.seeds.signingKeySeed, generation);
    const previous = keepsPrevious(signing) ? [{ ...signingKey(args.seeds.signingKeySeed, generation - 1).common, key_ops: ["verify"] }] : [];
    // Only the current key may sign (auth picks the key whose key_ops hold "sign").
    const privateKey = { ...current.common, key_ops: ["sign", "verify"], d: base64url(current.d) };
    const publicKeys = [{ ...current.common, key_ops: ["verify"] }, ...previous];
    const symmetric = { kty: "oct", k: base64url(Buffer.from(args.jwtSecret)), alg: "HS256" };
    const token = (role: ApiKeyRole) => signEs256({ role, iss: "supabase", iat: API_KEY_ISSUED_AT, exp: args.expiresAt }, current.kid, current.d);
    const randomPart = (seed: string, use: string, keyGeneration: number) => sha256(`supabase-fleet|${use}|${keyGeneration}|${seed}`).subarray(0, 17);
    const opaquePair = (keyGeneration: number) => ({
        publishableKey: opaqueKey(PUBLISHABLE_KEY_PREFIX, randomPart(args.seeds.publishableKeySeed, "publishable-key", keyGeneration)),
        secretKey: opaqueKey(SECRET_KEY_PREFIX, randomPart(args.seeds.secretKeySeed, "secret-key", keyGeneration)),
    });
    const opaque = args.opaque ?? { generation: 1, keepPrevious: true };
    const before = keepsPrevious(opaque) ? opaquePair(opaque.generation - 1) : undefined;
    return {
        signingKeyId: current.kid,
        jwtKeys: JSON.stringify([privateKey, ...previous, symmetric]),
        jwtJwks: JSON.stringify({ keys: [...publicKeys, symmetric] }),
        publicJwks: JSON.stringify({ keys: publicKeys }),
        anonKeyAsymmetric: token("anon"),
        serviceRoleKeyAsymmetric: token("service_role"),
        ...opaquePair(opaque.generation),
        ...(before ? { previousPublishableKey: before.publishableKey, previousSecretKey: before.secretKey } : {}),
    };
}
