/**
 * Rules that span several settings. Each problem is reported against the key a user must change.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import { API_KEY_ISSUED_AT, MAX_SETTING_BYTES, OPAQUE_SECRET } from "./constants.js";

/** Values published in upstream's example `.env`: anyone can sign tokens with them. */
export const DEMO_JWT_SECRET = "your-super-secret-jwt-token-with-at-least-32-characters-long";
const DEMO_VALUES: Record<string, string> = {
    jwtSecret: DEMO_JWT_SECRET,
    postgresPassword: "your-super-secret-and-long-postgres-password",
    dashboardPassword: "this_password_is_insecure_and_should_be_updated",
};
const DEMO_ISSUER = "supabase-demo";

type Loose = Record<string, unknown>;

export function checkTenantConsistency(config: Loose, ctx: z.RefinementCtx): void {
    const problem = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });

    checkTextHygiene(config, problem);
    checkPortsDistinct(config, problem);

    for (const [key, demo] of Object.entries(DEMO_VALUES)) {
        if (config[key] === demo) problem(key, "is the public demo value from upstream's example .env; use a value of your own or leave it unset to generate one");
    }

    const apiKeyExpiresAt = config.apiKeyExpiresAt;
    if (typeof apiKeyExpiresAt === "number" && apiKeyExpiresAt <= API_KEY_ISSUED_AT) {
        problem("apiKeyExpiresAt", `must be after the keys' issue time ${API_KEY_ISSUED_AT} (2026-01-01); the default is 2082758400 (2036-01-01)`);
    }

    for (const [key, role] of [["anonKey", "anon"], ["serviceRoleKey", "service_role"]] as const) {
        const token = config[key];
        if (typeof token !== "string" || token === OPAQUE_SECRET || config.jwtSecret === OPAQUE_SECRET) continue;
        const jwtSecret = typeof config.jwtSecret === "string" ? config.jwtSecret : undefined;
        const message = checkApiKeyOverride(token, role, jwtSecret);
        if (message) problem(key, message);
    }

    if (config.storageBackend === "s3") {
        for (const key of ["s3Endpoint", "s3Bucket", "s3Region", "s3AccessKeyId", "s3SecretAccessKey"]) {
            if (config[key] === undefined) problem(key, 'is required when storageBackend is "s3"');
        }
    }

    if (config.authEmailEnabled === true && config.authEmailAutoconfirm === false && config.smtpHost === undefined) {
        problem("smtpHost", "is required when authEmailEnabled is true and authEmailAutoconfirm is false (confirmation mails need an SMTP server); set smtpHost, or set authEmailAutoconfirm to true");
    }
    if ((config.smtpUser === undefined) !== (config.smtpPassword === undefined)) {
        problem(config.smtpUser === undefined ? "smtpUser" : "smtpPassword", "smtpUser and smtpPassword must be set together");
    }

    checkOAuth(config, problem);
}

/** Control characters (newlines included) and C1/Unicode line separators: they forge lines in env files, logs and plans. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Every string setting and list element, secret or not: no control characters (no setting is free
 * text that nothing parses line by line), and no value too large for a container's environment.
 * Messages never show the value.
 */
function checkTextHygiene(config: Loose, problem: (key: string, message: string) => void): void {
    for (const [key, value] of Object.entries(config)) {
        const texts = Array.isArray(value) ? value : [value];
        texts.forEach((text, index) => {
            if (typeof text !== "string" || text === OPAQUE_SECRET) return;
            const at = Array.isArray(value) ? `${key}.${index}` : key;
            if (CONTROL_CHARACTERS.test(text)) problem(at, "must not contain control characters (newlines, tabs, escapes)");
            if (Buffer.byteLength(text) > MAX_SETTING_BYTES) problem(at, `must be at most ${MAX_SETTING_BYTES} bytes (it is passed in a container's environment)`);
        });
    }
}

function checkPortsDistinct(config: Loose, problem: (key: string, message: string) => void): void {
    const seen = new Map<number, string>();
    for (const key of ["kongHttpPort", "kongHttpsPort", "postgresPort", "poolerTransactionPort"]) {
        const value = config[key];
        if (typeof value !== "number") continue;
        const earlier = seen.get(value);
        if (earlier) problem(key, `must differ from ${earlier} (both are ${value}); each published port of a tenant needs its own host port`);
        else seen.set(value, key);
    }
}

function checkOAuth(config: Loose, problem: (key: string, message: string) => void): void {
    const providerOf = (entries: unknown) =>
        Array.isArray(entries) ? entries.filter((e): e is string => typeof e === "string").map((e) => e.split(":")[0]!) : [];
    // The closed list of providers is checked by the schema on the non-secret list alone.
    const providers = providerOf(config.authOAuthProviders);
    if (new Set(providers).size !== providers.length) problem("authOAuthProviders", "lists a provider twice");
    // An unreadable (opaque) list of secrets cannot be matched against the providers.
    if (config.authOAuthClientSecrets === OPAQUE_SECRET) return;
    const secrets = providerOf(config.authOAuthClientSecrets);
    for (const provider of providers) {
        if (!secrets.includes(provider)) problem("authOAuthClientSecrets", `needs an entry "${provider}:<client secret>" for provider ${provider}`);
    }
    if (new Set(secrets).size !== secrets.length) problem("authOAuthClientSecrets", "has two secrets for one provider; each provider has exactly one");
    for (const provider of secrets) {
        if (!providers.includes(provider)) problem("authOAuthClientSecrets", `has a secret for "${provider}", which is not in authOAuthProviders`);
    }
}

/** Returns what is wrong with an anon or service-role key override, or undefined when it is sound. */
export function checkApiKeyOverride(token: string, role: "anon" | "service_role", jwtSecret: string | undefined): string | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return "must be a JWT (three dot-separated parts)";
    let header: Loose;
    let payload: Loose;
    try {
        header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as Loose;
        payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as Loose;
    } catch {
        return "must be a JWT with a JSON header and payload";
    }
    if (payload.iss === DEMO_ISSUER) return "is a public demo key (issuer supabase-demo); anyone could forge it, so it is refused";
    if (header.alg !== "HS256") return `must be signed with HS256 (found ${String(header.alg)})`;
    if (payload.role !== role) return `must carry role "${role}" (found ${JSON.stringify(payload.role)})`;
    if (jwtSecret === undefined) return "can only be given together with jwtSecret (the key must be signed with it)";
    const expected = createHmac("sha256", jwtSecret).update(`${parts[0]}.${parts[1]}`).digest();
    const actual = Buffer.from(parts[2]!, "base64url");
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return "is not signed with jwtSecret";
    return undefined;
}
