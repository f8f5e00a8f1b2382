/**
 * The anon and service-role keys: HS256 JWTs signed with the tenant's JWT secret. Every claim is fixed
 * (no clock), so the same secret always yields byte-identical keys and previews never churn.
 */
// Only the signer: loading all of jose would cost every `pulumi up` and plan ~30 ms for nothing.
import { SignJWT } from "jose/jwt/sign";
import type { JWTPayload } from "jose";
import { API_KEY_ISSUED_AT } from "./config/constants.js";

export type ApiKeyRole = "anon" | "service_role";

export interface ApiKeyClaims extends JWTPayload {
    role: ApiKeyRole;
    iss: "supabase";
    iat: number;
    exp: number;
}

export async function signApiKey(args: { role: ApiKeyRole; jwtSecret: string; expiresAt: number }): Promise<string> {
    return new SignJWT({ role: args.role })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setIssuer("supabase")
        .setIssuedAt(API_KEY_ISSUED_AT)
        .setExpirationTime(args.expiresAt)
        .sign(new TextEncoder().encode(args.jwtSecret));
}

/** Verifies a key against the JWT secret and returns its claims; throws if the signature or claims are wrong. */
export async function verifyApiKey(token: string, jwtSecret: string): Promise<ApiKeyClaims> {
    const { jwtVerify } = await import("jose/jwt/verify");
    const { payload } = await jwtVerify(token, new TextEncoder().encode(jwtSecret), { algorithms: ["HS256"], issuer: "supabase" });
    return payload as ApiKeyClaims;
}
