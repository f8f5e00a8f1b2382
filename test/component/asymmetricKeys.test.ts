/**
 * The 0.8.2 keys: every JWT verifies with jose against the public key set (and not against another
 * tenant's), the key sets have upstream's shape, the opaque keys upstream's format and checksum,
 * and the same seeds give the same bytes while other seeds give other keys.
 */
import { createHash } from "node:crypto";
import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { deriveAsymmetricKeys, opaqueKeyChecksum, PUBLISHABLE_KEY_PREFIX, SECRET_KEY_PREFIX } from "../../components/asymmetricKeys.js";

const JWT_SECRET = "a-jwt-secret-of-the-tenant-that-is-long-enough-0123456789";
const EXPIRES_AT = 2_082_758_400;
const seeds = (tag: string) => ({ signingKeySeed: `signing-${tag}`, publishableKeySeed: `publishable-${tag}`, secretKeySeed: `secret-${tag}` });
const keys = deriveAsymmetricKeys({ seeds: seeds("a"), jwtSecret: JWT_SECRET, expiresAt: EXPIRES_AT });
const other = deriveAsymmetricKeys({ seeds: seeds("b"), jwtSecret: JWT_SECRET, expiresAt: EXPIRES_AT });

describe("the 0.8.2 API keys", () => {
    it("sign ES256 anon and service-role JWTs that verify against the public key set, with upstream's claims", async () => {
        const jwks = createLocalJWKSet(JSON.parse(keys.jwtJwks));
        for (const [token, role] of [[keys.anonKeyAsymmetric, "anon"], [keys.serviceRoleKeyAsymmetric, "service_role"]] as const) {
            const { payload, protectedHeader } = await jwtVerify(token, jwks, { algorithms: ["ES256"], issuer: "supabase" });
            expect(protectedHeader).toEqual({ alg: "ES256", typ: "JWT", kid: keys.signingKeyId });
            expect(payload).toEqual({ role, iss: "supabase", iat: expect.any(Number), exp: EXPIRES_AT });
            await expect(jwtVerify(token, createLocalJWKSet(JSON.parse(other.publicJwks)), { algorithms: ["ES256"] })).rejects.toThrow();
        }
    });

    it("key sets: auth's holds the private EC key and the HS256 secret; the verifiers' the public key and the secret, no private part", () => {
        const [ec, oct] = JSON.parse(keys.jwtKeys) as Record<string, unknown>[];
        expect(ec).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig", kid: keys.signingKeyId, key_ops: ["sign", "verify"], ext: true });
        expect(typeof ec!.d).toBe("string");
        expect(oct).toEqual({ kty: "oct", k: Buffer.from(JWT_SECRET).toString("base64url"), alg: "HS256" });
        const verifiers = (JSON.parse(keys.jwtJwks) as { keys: Record<string, unknown>[] }).keys;
        expect(verifiers[0]).toEqual({ ...ec, key_ops: ["verify"], d: undefined });
        expect(verifiers[0]).not.toHaveProperty("d");
        expect(verifiers[1]).toEqual(oct);
        expect(keys.publicJwks).not.toContain(Buffer.from(JWT_SECRET).toString("base64url"));
        expect(JSON.parse(keys.publicJwks).keys).toEqual([verifiers[0]]);
    });

    it("a legacy HS256 token still verifies against the verifiers' key set", async () => {
        const { SignJWT } = await import("jose");
        const legacy = await new SignJWT({ role: "anon" }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuer("supabase").sign(new TextEncoder().encode(JWT_SECRET));
        const oct = (JSON.parse(keys.jwtJwks) as { keys: { kty: string; k: string }[] }).keys.find((key) => key.kty === "oct")!;
        await expect(jwtVerify(legacy, new Uint8Array(Buffer.from(oct.k, "base64url")), { algorithms: ["HS256"] })).resolves.toBeTruthy();
    });

    it("opaque keys have upstream's format and checksum", () => {
        for (const [key, prefix] of [[keys.publishableKey, PUBLISHABLE_KEY_PREFIX], [keys.secretKey, SECRET_KEY_PREFIX]] as const) {
            expect(key.startsWith(prefix)).toBe(true);
            const rest = key.slice(prefix.length);
            expect(rest).toMatch(/^[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{8}$/);
            const body = key.slice(0, prefix.length + 22);
            expect(key.slice(-8)).toBe(opaqueKeyChecksum(body));
        }
        // The checksum is upstream's: SHA-256 over the fixed context and the body, first 8 base64url characters.
        expect(opaqueKeyChecksum("sb_publishable_AAAAAAAAAAAAAAAAAAAAAA")).toBe(
            createHash("sha256").update("supabase-self-hosted|sb_publishable_AAAAAAAAAAAAAAAAAAAAAA").digest("base64url").slice(0, 8),
        );
    });

    it("a rotation signs with a new key; the previous public key stays (verify only) while kept, so older tokens still verify, and goes when dropped", async () => {
        const rotated = deriveAsymmetricKeys({ seeds: seeds("a"), jwtSecret: JWT_SECRET, expiresAt: EXPIRES_AT, signing: { generation: 2, keepPrevious: true } });
        expect(rotated.signingKeyId).not.toBe(keys.signingKeyId);
        const signers = (JSON.parse(rotated.jwtKeys) as { kid?: string; key_ops?: string[]; d?: string }[]).filter((key) => key.key_ops?.includes("sign"));
        expect(signers.map((key) => key.kid)).toEqual([rotated.signingKeyId]);
        // The previous key is in auth's set without its private part.
        const previous = (JSON.parse(rotated.jwtKeys) as { kid?: string; d?: string; key_ops?: string[] }[]).find((key) => key.kid === keys.signingKeyId)!;
        expect([previous.d, previous.key_ops]).toEqual([undefined, ["verify"]]);
        const verify = (token: string, jwks: string) => jwtVerify(token, createLocalJWKSet(JSON.parse(jwks)), { algorithms: ["ES256"] });
        await expect(verify(keys.anonKeyAsymmetric, rotated.jwtJwks)).resolves.toBeTruthy(); // signed before the rotation
        await expect(verify(rotated.anonKeyAsymmetric, rotated.publicJwks)).resolves.toBeTruthy();
        const retired = deriveAsymmetricKeys({ seeds: seeds("a"), jwtSecret: JWT_SECRET, expiresAt: EXPIRES_AT, signing: { generation: 2, keepPrevious: false } });
        await expect(verify(keys.anonKeyAsymmetric, retired.jwtJwks)).rejects.toThrow();
        expect(retired.jwtKeys).not.toContain(keys.signingKeyId);
        // Only the signing key moves: the opaque keys stay what clients have.
        expect([rotated.publishableKey, rotated.secretKey]).toEqual([keys.publishableKey, keys.secretKey]);
        // Generation 1 is the unrotated key, whatever keepPrevious says.
        expect(deriveAsymmetricKeys({ seeds: seeds("a"), jwtSecret: JWT_SECRET, expiresAt: EXPIRES_AT, signing: { generation: 1, keepPrevious: false } })).toEqual(keys);
    });

    it("a rotation of the opaque keys gives a new pair and, while kept, names the previous one; nothing else moves", () => {
        const rotated = deriveAsymmetricKeys({ seeds: seeds("a"), jwtSecret: JWT_SECRET, expiresAt: EXPIRES_AT, opaque: { generation: 2, keepPrevious: true } });
        expect(rotated.publishableKey).not.toBe(keys.publishableKey);
        expect(rotated.secretKey).not.toBe(keys.secretKey);
        expect([rotated.previousPublishableKey, rotated.previousSecretKey]).toEqual([keys.publishableKey, keys.secretKey]);
        expect(rotated.publishableKey.slice(-8)).toBe(opaqueKeyChecksum(rotated.publishableKey.slice(0, -9)));
        const { publishableKey: _p, secretKey: _s, previousPublishableKey: _pp, previousSecretKey: _ps, ...rest } = rotated;
        const { publishableKey: _p1, secretKey: _s1, ...restBefore } = keys;
        expect(rest).toEqual(restBefore);
        const dropped = deriveAsymmetricKeys({ seeds: seeds("a"), jwtSecret: JWT_SECRET, expiresAt: EXPIRES_AT, opaque: { generation: 2, keepPrevious: false } });
        expect(dropped.previousPublishableKey).toBeUndefined();
        expect(dropped.publishableKey).toBe(rotated.publishableKey);
    });

    it("the same seeds give the same bytes; other seeds give other keys", () => {
        expect(deriveAsymmetricKeys({ seeds: seeds("a"), jwtSecret: JWT_SECRET, expiresAt: EXPIRES_AT })).toEqual(keys);
        for (const field of ["signingKeyId", "jwtKeys", "anonKeyAsymmetric", "publishableKey", "secretKey"] as const) expect(other[field]).not.toBe(keys[field]);
        // Only the publishable seed moves the publishable key.
        const rotated = deriveAsymmetricKeys({ seeds: { ...seeds("a"), publishableKeySeed: "new" }, jwtSecret: JWT_SECRET, expiresAt: EXPIRES_AT });
        expect(rotated.publishableKey).not.toBe(keys.publishableKey);
        expect({ ...rotated, publishableKey: keys.publishableKey }).toEqual(keys);
    });
});
