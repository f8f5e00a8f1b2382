/**
 * Classes of hostile input, one table each, asserting the exact line: control characters in every
 * string setting and list element, lists too large once joined, OAuth checks that never show a
 * secret's text, lower CPU bound, foreign namespaces, encrypted non-secrets, credentials never echoed.
 */
import { describe, expect, it } from "vitest";
import { MAX_SETTING_BYTES, OPAQUE_SECRET } from "../../components/config/constants.js";
import { foreignNamespaceProblems, parseTenantConfig, TenantConfigError } from "../../components/config/load.js";
import { SETTINGS, SETTING_KEYS } from "../../components/config/schema.js";
import { escapeControlCharacters } from "../../components/config/text.js";

const VALID = { ref: "acme", authEmailAutoconfirm: true };

function problemsOf(raw: Record<string, unknown>, encrypted: string[] = []): string[] {
    try {
        parseTenantConfig({ ...VALID, ...raw }, "test", undefined, new Set(encrypted));
    } catch (error) {
        if (error instanceof TenantConfigError) return [...error.problems];
        throw error;
    }
    return [];
}

const CONTROL = "must not contain control characters (newlines, tabs, escapes)";
const STRING_KEYS = SETTING_KEYS.filter((key) => SETTINGS[key].meta.kind === "string" && key !== "ref");
const HOSTILE = ["a\nb", "a\rb", "a\tb", "a\u0000b", "a\u001b[2Jb", "a\u007fb", "a\u0085b", "a\u2028b"];

describe("control characters, in every string setting and list element", () => {
    it.each(STRING_KEYS.flatMap((key) => HOSTILE.map((value) => [key, value] as const)))("refuses %s = %j", (key, value) => {
        // A non-secret value is echoed JSON-quoted and escaped (one line); a secret never.
        const shown = SETTINGS[key].meta.secret ? "" : ` (got ${escapeControlCharacters(JSON.stringify(value))})`;
        expect(problemsOf({ [key]: value })).toContain(`supabase-fleet:${key}: ${CONTROL}${shown}`);
    });

    it.each([
        ["additionalRedirectUrls", ["https://a.example.com", "https://b.example.com/\nx"], "additionalRedirectUrls.1"],
        ["authOAuthProviders", ["github:abc\u001b"], "authOAuthProviders.0"],
        ["authOAuthClientSecrets", ["github:s3cr3t\r\nX-Injected: 1"], "authOAuthClientSecrets.0"],
    ])("refuses %s with a control character in one element", (key, value, path) => {
        const problems = problemsOf({ [key]: value, ...(key === "authOAuthClientSecrets" ? { authOAuthProviders: ["github:abc"] } : {}) });
        const element = value[Number(path.split(".")[1])]!;
        const shown = key === "authOAuthClientSecrets" ? "" : ` (got ${escapeControlCharacters(JSON.stringify(element))})`;
        expect(problems).toContain(`supabase-fleet:${path}: ${CONTROL}${shown}`);
        expect(problems.join("\n")).not.toContain("s3cr3t");
    });

    it.each(["dashboardUsername", "smtpHost", "siteUrl"])("refuses the opaque marker written in plaintext into the non-secret %s", (key) => {
        expect(problemsOf({ [key]: OPAQUE_SECRET })).toContain(`supabase-fleet:${key}: ${CONTROL} (got ${escapeControlCharacters(JSON.stringify(OPAQUE_SECRET))})`);
    });
});

describe("lists joined into one env value", () => {
    it.each([
        ["additionalRedirectUrls", Array.from({ length: 400 }, (_, i) => `https://app-${i}.example.com/callback`)],
        ["authOAuthProviders", Array.from({ length: 40 }, () => `github:${"a".repeat(250)}`)],
    ])("refuses %s longer than the limit in all", (key, entries) => {
        expect(problemsOf({ [key]: entries })).toContain(
            `supabase-fleet:${key}: must be at most ${MAX_SETTING_BYTES} bytes in all (its entries are joined into one environment value)`,
        );
    });
});

describe("OAuth: closed list, one secret per provider, never a secret's text in a message", () => {
    it.each([
        [["github:abc"], ["s3cr3t-without-provider"], "supabase-fleet:authOAuthClientSecrets.0: each entry must be \"<provider>:<client secret>\" with a provider from"],
        [["github:abc"], ["evil_provider:s3cr3t", "github:x"], "supabase-fleet:authOAuthClientSecrets.0: each entry must be \"<provider>:<client secret>\" with a provider from"],
        [["github:abc"], ["github:s3cr3t", "github:s3cr3t2"], "supabase-fleet:authOAuthClientSecrets: has two secrets for provider github; each provider has exactly one"],
        [["github:abc"], ["github:x", "gitlab:s3cr3t"], "supabase-fleet:authOAuthClientSecrets: has a secret for provider gitlab, which is not in authOAuthProviders"],
        [["github:abc", "gitlab:def"], ["github:s3cr3t"], 'supabase-fleet:authOAuthClientSecrets: needs an entry "gitlab:<client secret>" for provider gitlab'],
    ])("providers %j, secrets refused", (providers, secrets, line) => {
        const problems = problemsOf({ authOAuthProviders: providers, authOAuthClientSecrets: secrets });
        expect(problems.some((problem) => problem.startsWith(line)), problems.join("\n")).toBe(true);
        expect(problems.join("\n")).not.toContain("s3cr3t");
    });

    it.each([["github:a", "github:b"], ["google:a", "google:a"]])("refuses a provider listed twice (%s, %s), even with opaque secrets", (a, b) => {
        const provider = a.split(":")[0];
        const problems = problemsOf({ authOAuthProviders: [a, b], authOAuthClientSecrets: OPAQUE_SECRET });
        expect(problems.filter((p) => p.startsWith("supabase-fleet:authOAuthProviders:"))).toEqual([
            `supabase-fleet:authOAuthProviders: lists provider ${provider} twice; each provider appears once (got ${JSON.stringify([a, b])})`,
        ]);
    });
});

describe("host names", () => {
    const HOST = "must be a host name (letters, digits, hyphens and dots) or an IP address, without scheme, port or spaces";
    it.each(["smtp.example.com:25", "smtp://smtp.example.com", "smtp.example.com evil", "-oProxy", "smtp.example.com,evil.com", "a..b", ""])(
        "refuses smtpHost %j",
        (smtpHost) => {
            expect(problemsOf({ smtpHost })).toEqual([`supabase-fleet:smtpHost: ${HOST} (got ${JSON.stringify(smtpHost)})`]);
        },
    );

    it.each(["smtp.example.com", "10.0.0.5", "::1", "mail-1"])("accepts smtpHost %s", (smtpHost) => {
        expect(problemsOf({ smtpHost })).toEqual([]);
    });
});

describe("the Docker host over TCP", () => {
    it("is reached only over verified TLS: a tcp:// host needs its TLS folder, which no other scheme takes", () => {
        expect(problemsOf({ dockerHost: "tcp://10.0.0.5:2375" })).toEqual([
            "supabase-fleet:dockerTlsCertPath: is required with a tcp:// dockerHost: a folder with ca.pem, cert.pem and key.pem (the daemon is reached only over verified TLS)",
        ]);
        expect(problemsOf({ dockerHost: "unix:///var/run/docker.sock", dockerTlsCertPath: "/etc/fleet/tls" })).toEqual(['supabase-fleet:dockerTlsCertPath: only applies to a tcp:// dockerHost (got "/etc/fleet/tls")']);
        expect(problemsOf({ dockerHost: "tcp://10.0.0.5:2376", dockerTlsCertPath: "/home/op/.docker" })).toEqual([]);
    });

    it.each(["etc/tls", "/etc/../root/.docker", "/etc/tls/", "/etc/tls;id", "/etc/$(id)", "/etc/-x", "/etc/t ls", "/etc/./tls"])("refuses the TLS folder %j", (path) => {
        const problems = problemsOf({ dockerHost: "tcp://10.0.0.5:2376", dockerTlsCertPath: path });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^supabase-fleet:dockerTlsCertPath: must be an absolute path of plain segments/);
    });
});

describe("numbers", () => {
    it.each(["0.001", "0.009", "0"])("refuses dbCpus %s below Docker's smallest limit", (cpus) => {
        expect(problemsOf({ dbCpus: cpus })).toEqual([`supabase-fleet:dbCpus: must be at least 0.01 (Docker's smallest CPU limit) (got "${cpus}")`]);
    });
});

describe("values never echoed", () => {
    it.each([
        ["siteUrl", "https://admin:hunter2@app.example.com", "must not contain credentials (user:password@)"],
        ["apiUrl", "http://root:hunter2@api.example.com", "must not contain credentials (user:password@)"],
        ["dockerHost", "tcp://u:hunter2@10.0.0.5:2376", "must not contain credentials"],
    ])("a credential inside the non-secret %s", (key, value, message) => {
        const problems = problemsOf({ [key]: value });
        expect(problems.some((p) => p.startsWith(`supabase-fleet:${key}: ${message}`))).toBe(true);
        expect(problems.join("\n")).not.toContain("hunter2");
    });

    it.each([
        ["smtpHost", "smtp.example.com"],
        ["siteUrl", "https://app.example.com"],
        ["kongHttpPort", "8100"],
    ])("a non-secret %s stored encrypted is refused and its value not validated or shown", (key, value) => {
        expect(problemsOf({ [key]: value }, [key])).toEqual([
            `supabase-fleet:${key}: is not a secret setting but is stored encrypted; set it without --secret (\`pulumi config set supabase-fleet:${key} <value>\`)`,
        ]);
    });

    it.each(["sup\nabase-fleet:x", "a\u001b]0;title\u0007"])("an unknown key with control characters %j prints as one line", (key) => {
        const problems = problemsOf({ [key]: "x" });
        expect(problems).toEqual([`supabase-fleet:${escapeControlCharacters(key)}: unknown setting (all settings are listed in Pulumi.yaml)`]);
        expect(problems[0]).not.toMatch(/[\n\u001b]/);
    });
});

describe("config namespaces", () => {
    it.each([
        ["supabase-flet:ref", "supabase-flet:ref: is not a setting of this project; its settings are supabase-fleet:<key>; did you mean supabase-fleet:ref?"],
        ["aws:region", "aws:region: is not a setting of this project; its settings are supabase-fleet:<key> (all listed in Pulumi.yaml; allowed namespaces besides: pulumi, docker)"],
        ["Supabase-Fleet:siteUrl", "Supabase-Fleet:siteUrl: is not a setting of this project; its settings are supabase-fleet:<key>; did you mean supabase-fleet:siteUrl?"],
    ])("refuses %s", (key, line) => {
        expect(foreignNamespaceProblems({ [key]: "x" })).toEqual([line]);
    });

    it.each(["docker:host", "pulumi:tags", "supabase-fleet:ref"])("allows %s", (key) => {
        expect(foreignNamespaceProblems({ [key]: "x" })).toEqual([]);
    });
});
