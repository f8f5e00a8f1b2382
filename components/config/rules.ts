/**
 * Rules that span several settings. Each problem is reported against the key a user must change.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import { API_KEY_ISSUED_AT, KEPT_GENERATION, OAUTH_PROVIDERS, OPAQUE_SECRET } from "./constants.js";
import { checkGatewayOfRelease, checkReleaseMatchesData, checkSigningKeySettings } from "./releaseRules.js";

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

    checkPortsDistinct(config, problem);
    checkReleaseMatchesData(config, problem);
    checkSigningKeySettings(config, problem);
    checkGatewayOfRelease(config, problem);

    if (config.edgeHostname === undefined) {
        if (Array.isArray(config.customDomains) && config.customDomains.length > 0) problem("customDomains", "needs edgeHostname: custom domains are served by the host's edge proxy (give the host an edge: section in fleet.yaml)");
        if (config.publishGatewayPorts === false) problem("publishGatewayPorts", "may be false only with edgeHostname: without the edge proxy the gateway's ports are the tenant's only way in");
    } else if (Array.isArray(config.customDomains) && config.customDomains.includes(config.edgeHostname)) {
        problem("customDomains", "must not repeat edgeHostname");
    }

    const kept = typeof config.dbDataKeptGeneration === "string" ? KEPT_GENERATION.exec(config.dbDataKeptGeneration)?.[1] : undefined;
    if (kept !== undefined && Number(kept) === config.dbDataGeneration) {
        problem("dbDataKeptGeneration", `must name another generation than dbDataGeneration (${String(config.dbDataGeneration)}): it is the volume kept beside the one in use`);
    }

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
    checkDockerTls(config, problem);
}

/** A Docker API over plain TCP is root on the host for anyone who reaches the port: tcp:// is TLS only. */
function checkDockerTls(config: Loose, problem: (key: string, message: string) => void): void {
    const tcp = typeof config.dockerHost === "string" && config.dockerHost.startsWith("tcp://");
    if (tcp && config.dockerTlsCertPath === undefined) {
        problem("dockerTlsCertPath", "is required with a tcp:// dockerHost: a folder with ca.pem, cert.pem and key.pem (the daemon is reached only over verified TLS)");
    }
    if (!tcp && config.dockerTlsCertPath !== undefined) problem("dockerTlsCertPath", "only applies to a tcp:// dockerHost");
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

/** The closed-list provider an entry names, if any: messages only ever show these names, never entry text. */
const PROVIDER_PREFIX = new RegExp(`^(${OAUTH_PROVIDERS.join("|")}):`);

function checkOAuth(config: Loose, problem: (key: string, message: string) => void): void {
    // Entries naming no known provider are refused by the schema (closed list, on the non-secret list
    // alone); here only known names are compared, so a secret's text can never reach a message.
    const providerOf = (entries: unknown) =>
        Array.isArray(entries) ? entries.flatMap((entry) => (typeof entry === "string" ? (PROVIDER_PREFIX.exec(entry)?.[1] ?? []) : [])) : [];
    const providers = providerOf(config.authOAuthProviders);
    for (const provider of duplicatesOf(providers)) problem("authOAuthProviders", `lists provider ${provider} twice; each provider appears once`);
    // An unreadable (opaque) list of secrets cannot be matched against the providers.
    if (config.authOAuthClientSecrets === OPAQUE_SECRET) return;
    const secrets = providerOf(config.authOAuthClientSecrets);
    for (const provider of providers) {
        if (!secrets.includes(provider)) problem("authOAuthClientSecrets", `needs an entry "${provider}:<client secret>" for provider ${provider}`);
    }
    for (const provider of duplicatesOf(secrets)) problem("authOAuthClientSecrets", `has two secrets for provider ${provider}; each provider has exactly one`);
    for (const provider of new Set(secrets)) {
        if (!providers.includes(provider)) problem("authOAuthClientSecrets", `has a secret for provider ${provider}, which is not in authOAuthProviders`);
    }
}

function duplicatesOf(names: readonly string[]): Set<string> {
    return new Set(names.filter((name, index) => names.indexOf(name) !== index));
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
