/**
 * Validation of the tenant config: every bad input is refused with one line naming the key and what is
 * allowed, and the program registers nothing.
 */
import { describe, expect, it } from "vitest";
import { parseTenantConfig, TenantConfigError, OPAQUE_SECRET } from "../../components/config/load.js";
import { signApiKey } from "../../components/apiKeys.js";

const VALID = { ref: "acme", authEmailAutoconfirm: true };
const SECRET = "s".repeat(40);

function problemsOf(raw: Record<string, unknown>): string[] {
    try {
        parseTenantConfig(raw, "test");
    } catch (error) {
        if (error instanceof TenantConfigError) return [...error.problems];
        throw error;
    }
    throw new Error("expected the config to be refused");
}

describe("tenant config validation", () => {
    it("accepts a minimal config and fills in the defaults", () => {
        const config = parseTenantConfig(VALID, "test");
        expect(config).toMatchObject({
            ref: "acme",
            kongHttpPort: 8000,
            kongHttpsPort: 8443,
            postgresPort: 5432,
            poolerTransactionPort: 6543,
            bindAddress: "127.0.0.1",
            dockerHost: "unix:///var/run/docker.sock",
            storageBackend: "file",
            analyticsEnabled: true,
            deleteDataOnDestroy: false,
            jwtExpirySeconds: 3600,
            apiKeyExpiresAt: 2082758400,
            release: "feb-2026",
            dbDataPostgresMajor: 15,
            dbMemoryMb: 2048,
        });
        expect(config.jwtSecret).toBeUndefined();
        // Images come from the release unless overridden.
        expect(config.dbImage).toBeUndefined();
    });

    it("converts Pulumi's string values by each setting's declared type", () => {
        const config = parseTenantConfig({ ...VALID, kongHttpPort: "8100", analyticsEnabled: "false", additionalRedirectUrls: '["https://a.example.com"]' }, "test");
        expect([config.kongHttpPort, config.analyticsEnabled, config.additionalRedirectUrls]).toEqual([8100, false, ["https://a.example.com"]]);
    });

    const cases: [string, Record<string, unknown>, string][] = [
        ["a ref that is not DNS-safe", { ref: "Acme_1" }, "supabase-fleet:ref: must be 3-32 characters of lowercase letters, digits and hyphens"],
        ["a port out of range", { kongHttpPort: 70000 }, "supabase-fleet:kongHttpPort: must be a whole number from 1 to 65535 (got 70000)"],
        ["a port that is not a number", { postgresPort: "five" }, 'supabase-fleet:postgresPort: must be a whole number from 1 to 65535 (got "five")'],
        ["a port repeated within the tenant", { kongHttpsPort: 8000 }, "supabase-fleet:kongHttpsPort: must differ from kongHttpPort (both are 8000)"],
        ["a short JWT secret", { jwtSecret: "short" }, "supabase-fleet:jwtSecret: must be at least 32 characters"],
        ["the demo JWT secret", { jwtSecret: "your-super-secret-jwt-token-with-at-least-32-characters-long" }, "supabase-fleet:jwtSecret: is the public demo value"],
        ["a malformed URL", { siteUrl: "localhost:3000" }, "supabase-fleet:siteUrl: must be an absolute http:// or https:// URL"],
        ["a malformed redirect URL", { additionalRedirectUrls: ["ftp://x"] }, "supabase-fleet:additionalRedirectUrls.0: must be an absolute http:// or https:// URL"],
        ["S3 storage without its settings", { storageBackend: "s3", s3Bucket: "media" }, 'supabase-fleet:s3Endpoint: is required when storageBackend is "s3"'],
        ["an unknown key (typo)", { kongHtppPort: 8000 }, "supabase-fleet:kongHtppPort: unknown setting; did you mean kongHttpPort?"],
        ["an unknown storage backend", { storageBackend: "gcs" }, 'supabase-fleet:storageBackend: must be "file" or "s3" (got "gcs")'],
        ["email confirmations without SMTP", { authEmailAutoconfirm: false }, "supabase-fleet:smtpHost: is required when authEmailEnabled is true and authEmailAutoconfirm is false"],
        ["a bad Docker host", { dockerHost: "http://docker" }, 'supabase-fleet:dockerHost: has an unsupported scheme "http:"; allowed: unix:///path/to/docker.sock, tcp://host:port, ssh://user@host[:port]'],
        ["an unsupported OAuth provider", { authOAuthProviders: ["myspace:1"], authOAuthClientSecrets: ["myspace:x"] }, "supabase-fleet:authOAuthProviders.0: each entry must be \"<provider>:<client id>\" with a provider from apple,"],
        ["an OAuth provider without its secret", { authOAuthProviders: ["github:abc"] }, 'supabase-fleet:authOAuthClientSecrets: needs an entry "github:<client secret>"'],
        ["a too-small memory limit", { dbMemoryMb: 10 }, "supabase-fleet:dbMemoryMb: must be at least 64 (MiB) (got 10)"],
        ["an API key expiry before issue time", { apiKeyExpiresAt: 1000 }, "supabase-fleet:apiKeyExpiresAt: must be after the keys' issue time"],
    ];
    for (const [what, change, message] of cases) {
        it(`refuses ${what}`, () => {
            const problems = problemsOf({ ...VALID, ...change });
            expect(problems.some((p) => p.startsWith(message)), problems.join("\n")).toBe(true);
        });
    }

    it("reports every problem at once, one line each, sorted", () => {
        const problems = problemsOf({ ref: "X", kongHttpPort: 0, storageBackend: "s3", typo: 1, authEmailAutoconfirm: true });
        expect(problems.map((p) => p.split(":")[1])).toEqual([
            "kongHttpPort", "ref", "s3AccessKeyId", "s3Bucket", "s3Endpoint", "s3Region", "s3SecretAccessKey", "typo",
        ]);
    });

    it("never echoes a secret value in a message", () => {
        const problems = problemsOf({ ...VALID, jwtSecret: "hunter2-short" });
        expect(problems.join("\n")).not.toContain("hunter2");
    });

    it("refuses the well-known demo keys (issuer supabase-demo) even when correctly signed", async () => {
        const demo = await new (await import("jose")).SignJWT({ role: "anon", iss: "supabase-demo" })
            .setProtectedHeader({ alg: "HS256", typ: "JWT" })
            .sign(new TextEncoder().encode(SECRET));
        expect(problemsOf({ ...VALID, jwtSecret: SECRET, anonKey: demo })).toEqual([
            "supabase-fleet:anonKey: is a public demo key (issuer supabase-demo); anyone could forge it, so it is refused",
        ]);
    });

    it("accepts key overrides only when signed with the JWT secret and carrying the right role", async () => {
        const anon = await signApiKey({ role: "anon", jwtSecret: SECRET, expiresAt: 2082758400 });
        const service = await signApiKey({ role: "service_role", jwtSecret: SECRET, expiresAt: 2082758400 });
        expect(parseTenantConfig({ ...VALID, jwtSecret: SECRET, anonKey: anon, serviceRoleKey: service }, "test").anonKey).toBe(anon);
        expect(problemsOf({ ...VALID, jwtSecret: "t".repeat(40), anonKey: anon })).toEqual(["supabase-fleet:anonKey: is not signed with jwtSecret"]);
        expect(problemsOf({ ...VALID, jwtSecret: SECRET, anonKey: service })).toEqual(['supabase-fleet:anonKey: must carry role "anon" (found "service_role")']);
        expect(problemsOf({ ...VALID, anonKey: anon })).toEqual(["supabase-fleet:anonKey: can only be given together with jwtSecret (the key must be signed with it)"]);
    });

    it("treats an unreadable (opaque) secret as set without checking its content", () => {
        const config = parseTenantConfig({ ...VALID, jwtSecret: OPAQUE_SECRET, anonKey: OPAQUE_SECRET, storageBackend: "s3", s3Endpoint: "https://s3.example.com", s3Bucket: "media", s3Region: "eu-west-1", s3AccessKeyId: OPAQUE_SECRET, s3SecretAccessKey: OPAQUE_SECRET }, "test");
        expect(config.jwtSecret).toBe(OPAQUE_SECRET);
    });
});
