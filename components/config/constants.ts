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

// ---- limits: the one source of truth for every bound the schema and rules enforce ----

/** Longest value of one setting (or one list element), in bytes: well under Linux's 128 KiB per env string. */
export const MAX_SETTING_BYTES = 8192;
/** Most memory one container may be given, in MiB (256 GiB). */
export const MAX_MEMORY_MB = 262144;
/** Fewest CPUs one container may be given: Docker refuses less. */
export const MIN_CPUS = 0.01;
/** Most CPUs one container may be given. */
export const MAX_CPUS = 64;
/** Most server connections per pool the pooler may open. */
export const MAX_POOL_SIZE = 1000;
/** Most client connections the pooler may accept. */
export const MAX_CLIENT_CONNECTIONS = 100000;
/** Longest user session token lifetime GoTrue is given: one week, in seconds. */
export const MAX_JWT_EXPIRY_SECONDS = 604800;
/** Latest API key expiry: 50 years after the issue time, in Unix seconds (a millisecond value is far beyond it). */
export const MAX_API_KEY_EXPIRES_AT = API_KEY_ISSUED_AT + 50 * 365 * 86400;
/** Most rotations of a tenant's signing key: a bound far above any real use, so a typo is caught. */
export const MAX_SIGNING_KEY_GENERATION = 10000;
/** Generations of the db data volume: one per Postgres upgrade, two digits in the volume name. */
export const MAX_DB_DATA_GENERATION = 99;
/** `<generation>:<Postgres major>` of a kept db data volume. */
export const KEPT_GENERATION = /^([1-9][0-9]?):(15|17)$/;
/** Largest upload storage may accept: 500 GiB. */
export const MAX_FILE_SIZE_LIMIT_BYTES = 500 * 1024 ** 3;
/** Upstream's compose project names its objects `supabase-…`: no tenant ref may produce such names. */
export const RESERVED_REF_PREFIX = "supabase";
/** Separator GoTrue splits GOTRUE_URI_ALLOW_LIST on. */
export const REDIRECT_LIST_SEPARATOR = ",";
/** Config namespaces besides the project's that a stack file may hold: Pulumi's own and the Docker provider's. */
export const PROVIDER_NAMESPACES = ["pulumi", "docker"] as const;
