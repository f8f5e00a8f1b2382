/**
 * Classes of hostile input (issue 10): each is refused with one line naming the key, and a secret's
 * value never appears in a message.
 */
import { describe, expect, it } from "vitest";
import { parseTenantConfig, TenantConfigError, OPAQUE_SECRET } from "../../components/config/load.js";
import { MAX_API_KEY_EXPIRES_AT, MAX_SETTING_BYTES } from "../../components/config/constants.js";
import { parseDockerHost } from "../../components/config/dockerHost.js";

const VALID = { ref: "acme", authEmailAutoconfirm: true };

function problemsOf(raw: Record<string, unknown>): string[] {
    try {
        parseTenantConfig({ ...VALID, ...raw }, "test");
    } catch (error) {
        if (error instanceof TenantConfigError) return [...error.problems];
        throw error;
    }
    return [];
}

function expectRefused(raw: Record<string, unknown>, key: string, message: string): void {
    const problems = problemsOf(raw);
    expect(problems.some((p) => p.startsWith(`supabase-fleet:${key}: ${message}`)), problems.join("\n") || "(accepted)").toBe(true);
}

describe("1. values that flow into lists, files or other settings", () => {
    it.each([
        ["smtpSenderName", "Acme\nGOTRUE_X=1"],
        ["studioProjectName", "a\u001b[2Jb"],
        ["smtpHost", "smtp.example.com\r"],
        ["dashboardUsername", "x\u2028y"],
    ])("refuses control characters in %s", (key, value) => {
        expectRefused({ [key]: value }, key, "must not contain control characters");
    });

    it("refuses control characters in a secret without echoing it", () => {
        const problems = problemsOf({ smtpUser: "u", smtpPassword: "hunter2\nINJECTED" });
        expect(problems).toContain("supabase-fleet:smtpPassword: must not contain control characters (newlines, tabs, escapes)");
        expect(problems.join("\n")).not.toContain("hunter2");
    });

    it("refuses a value too large for a container environment", () => {
        expectRefused({ studioOrganizationName: "a".repeat(MAX_SETTING_BYTES + 1) }, "studioOrganizationName", `must be at most ${MAX_SETTING_BYTES} bytes`);
    });

    it.each([
        ["https://a.example.com,https://evil.com", "must not contain \",\""],
        ["*", "must be an http(s) URL or a glob pattern with a concrete host"],
        ["https://*", "must be an http(s) URL or a glob pattern with a concrete host"],
        ["**", "must be an http(s) URL or a glob pattern with a concrete host"],
        ["https://*.com/**", "must be an http(s) URL or a glob pattern with a concrete host"],
        ["https://**.example.com", "must be an http(s) URL or a glob pattern with a concrete host"],
        ["https://user:pass@app.example.com", "must not contain credentials"],
        ["https://app.example.com/#/x", "must not contain spaces, control characters, commas, quotes or a #fragment"],
    ])("refuses the redirect entry %s", (entry, message) => {
        expectRefused({ additionalRedirectUrls: [entry] }, "additionalRedirectUrls.0", message);
    });

    it("accepts URLs and glob patterns with a concrete host", () => {
        const entries = ["https://app.example.com/callback", "https://*.preview.example.com/**", "http://localhost:3000/*"];
        expect(parseTenantConfig({ ...VALID, additionalRedirectUrls: entries }, "test").additionalRedirectUrls).toEqual(entries);
    });

    it.each([
        ["siteUrl", "https://admin:secret@app.example.com"],
        ["apiUrl", "https://api.example.com#frag"],
        ["s3Endpoint", "https://s3.example.com,https://evil.example.com"],
        ["siteUrl", "https://*.example.com"],
    ])("refuses %s %s", (key, value) => {
        expect(problemsOf({ [key]: value }).some((p) => p.startsWith(`supabase-fleet:${key}: must`))).toBe(true);
    });
});

describe("2. one setting overriding another", () => {
    it.each(["email:x", "phone:x", "anonymous_users:x", "smtp:x", "github_enabled:x", "GITHUB:x"])(
        "refuses provider entry %s from the provider list alone, even with opaque secrets",
        (entry) => {
            expectRefused({ authOAuthProviders: [entry], authOAuthClientSecrets: OPAQUE_SECRET }, "authOAuthProviders.0", 'each entry must be "<provider>:<client id>"');
        },
    );

    it("refuses two secrets for one provider", () => {
        const problems = problemsOf({ authOAuthProviders: ["github:abc"], authOAuthClientSecrets: ["github:one", "github:two"] });
        expect(problems).toEqual(["supabase-fleet:authOAuthClientSecrets: has two secrets for provider github; each provider has exactly one"]);
    });
});

describe("3. the Docker host", () => {
    it.each([
        ["unix:///var/run/../../etc/docker.sock", "must be an absolute path"],
        ["unix:///var/run/docker.sock;rm -rf /", "must be an absolute path"],
        ["ssh://-oProxyCommand=evil@host", "needs a user name"],
        ["ssh://deploy@-oProxyCommand=evil", "needs a host name"],
        ["ssh://deploy:hunter2@host", "must not contain a password"],
        ["ssh://host-only", "needs a user"],
        ["ssh://deploy@host/path", "needs a host name"],
        ["tcp://user:pw@10.0.0.5:2376", "must not contain credentials"],
        ["tcp://10.0.0.5:2376/?x=$(id)", "needs a port from 1 to 65535"],
        ["tcp://10.0.0.5:99999", "needs a port from 1 to 65535"],
        ["tcp://host$(id):2376", "needs a host name"],
    ])("refuses %s", (dockerHost, message) => {
        expectRefused({ dockerHost }, "dockerHost", message);
        expect(() => parseDockerHost(dockerHost)).toThrow(message);
    });

    it("accepts each scheme's grammar", () => {
        expect(parseDockerHost("ssh://deploy@edge-1.example.com:2222")).toEqual({ kind: "ssh", host: "edge-1.example.com", port: 2222, username: "deploy" });
        expect(parseDockerHost("tcp://[::1]:2376")).toEqual({ kind: "tcp", host: "::1", port: 2376 });
        expect(parseDockerHost("unix:///run/user/1000/docker.sock")).toEqual({ kind: "unix", socketPath: "/run/user/1000/docker.sock" });
    });
});

describe("4. names across tenants", () => {
    it.each(["supabase", "supabase-db", "supabase-x"])("refuses the ref %s (upstream compose names)", (ref) => {
        expectRefused({ ref }, "ref", 'must not be "supabase" or start with "supabase-"');
    });
});

describe("5. numbers and references", () => {
    it.each([
        ["dbMemoryMb", 10_000_000, "must be at most 262144 (MiB)"],
        ["dbCpus", "1000", "must be at most 64"],
        ["poolerDefaultPoolSize", 1_000_000, "must be at most 1000"],
        ["poolerMaxClientConnections", 10_000_000, "must be at most 100000"],
        ["jwtExpirySeconds", 31_536_000, "must be at most 604800"],
        ["storageFileSizeLimitBytes", 10 ** 15, "must be at most"],
        ["apiKeyExpiresAt", 2082758400000, `must be a Unix time in seconds, at most ${MAX_API_KEY_EXPIRES_AT}`],
    ])("refuses %s %s", (key, value, message) => {
        expectRefused({ [key]: value }, key, message);
    });

    it.each(["supabase/postgres", "supabase/postgres:latest", "kong:LATEST", "kong@sha256:abc", "Kong:2.8.1", "kong:2.8.1 --privileged"])(
        "refuses the image %s",
        (image) => {
            expectRefused({ kongImage: image }, "kongImage", "must be an image reference with an explicit tag or digest");
        },
    );

    it("accepts tags, digests and registries with ports", () => {
        const digest = `sha256:${"a".repeat(64)}`;
        const config = parseTenantConfig({ ...VALID, kongImage: `registry.local:5000/kong@${digest}`, dbImage: "supabase/postgres:15.8.1.085" }, "test");
        expect(config.kongImage).toBe(`registry.local:5000/kong@${digest}`);
    });
});
