/** Fixed values of the tenant config that several modules share. */

export const PROJECT_NAME = "supabase-fleet";

/** Fixed `iat` of the anon and service-role keys: fixed so that signing is deterministic (2026-01-01). */
export const API_KEY_ISSUED_AT = 1767225600;
/** Default `exp` of the anon and service-role keys: 2036-01-01, ten years after `iat`. */
export const DEFAULT_API_KEY_EXPIRES_AT = 2082758400;

export const OAUTH_PROVIDERS = [
    "apple",
    "azure",
    "bitbucket",
    "discord",
    "facebook",
    "figma",
    "github",
    "gitlab",
    "google",
    "kakao",
    "keycloak",
    "linkedin_oidc",
    "notion",
    "slack_oidc",
    "spotify",
    "twitch",
    "twitter",
    "workos",
    "zoom",
] as const;

/**
 * Stands in for a secret whose value cannot be read (an encrypted stack config read without its
 * passphrase, as the offline plan does). A secret setting holding it counts as set and valid: checks
 * of its content are skipped, and the value only ever travels as a Pulumi secret.
 */
export const OPAQUE_SECRET = "\u0000supabase-fleet:opaque-secret";
