/**
 * Hostile stack files through `npm run plan` as a user runs it: each is refused with one line naming
 * the file or `supabase-fleet:<key>`, exit 1, no stack trace, no secret or forged line in the output.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const project = mkdtempSync(join(tmpdir(), "plan-hostile-"));
copyFileSync(join(repo, "Pulumi.yaml"), join(project, "Pulumi.yaml"));
writeFileSync(join(project, "index.ts"), `export { default } from ${JSON.stringify(join(repo, "index.ts"))};\n`);
afterAll(() => rmSync(project, { recursive: true, force: true }));

const BASE = "config:\n  supabase-fleet:authEmailAutoconfirm: true\n";

function plan(stack: string, contents: string | Buffer): { code: number | null; stdout: string; stderr: string } {
    writeFileSync(join(project, `Pulumi.${stack}.yaml`), contents);
    const result = spawnSync(process.execPath, ["--import", "tsx", join(repo, "stacks/cli/plan.ts"), "--project-dir", project, "--stack", stack], {
        cwd: repo,
        encoding: "utf8",
        timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectRefused(result: ReturnType<typeof plan>, line: string): void {
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(line);
    expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe("npm run plan refuses hostile stack files", () => {
    it("a newline smuggling an env line into a setting", () => {
        const result = plan("newline", `${BASE}  supabase-fleet:smtpSenderName: "Acme\\nGOTRUE_EXTERNAL_EMAIL_ENABLED=true"\n`);
        expectRefused(result, "  - supabase-fleet:smtpSenderName: must not contain control characters");
    });

    it("a redirect pattern that matches every host", () => {
        const result = plan("wildcard", `${BASE}  supabase-fleet:additionalRedirectUrls:\n    - "https://*"\n`);
        expectRefused(result, "  - supabase-fleet:additionalRedirectUrls.0: must be an http(s) URL or a glob pattern with a concrete host");
    });

    it("an OAuth provider outside the closed list, with encrypted secrets", () => {
        const result = plan(
            "provider",
            `${BASE}  supabase-fleet:authOAuthProviders:\n    - "anonymous_users:x"\n  supabase-fleet:authOAuthClientSecrets:\n    secure: v1:abc:def\n`,
        );
        expectRefused(result, "  - supabase-fleet:authOAuthProviders.0: each entry must be");
    });

    it("a Docker host with shell-meaningful characters", () => {
        const result = plan("dockerhost", `${BASE}  supabase-fleet:dockerHost: "ssh://deploy@host;id"\n`);
        expectRefused(result, "  - supabase-fleet:dockerHost: needs a host name");
    });

    it("a millisecond key expiry and an untagged image", () => {
        const result = plan("numbers", `${BASE}  supabase-fleet:apiKeyExpiresAt: 2082758400000\n  supabase-fleet:kongImage: kong\n`);
        expectRefused(result, "  - supabase-fleet:apiKeyExpiresAt: must be a Unix time in seconds");
        expect(result.stderr).toContain("  - supabase-fleet:kongImage: must be an image reference with an explicit tag or digest");
    });

    it("a key of another namespace and a non-secret setting stored encrypted, without echoing it", () => {
        const result = plan("storage", `${BASE}  docker:host: unix:///tmp/x.sock\n  supabase-flet:ref: acme\n  supabase-fleet:smtpHost:\n    secure: v1:abc:def\n`);
        expectRefused(result, "  - supabase-flet:ref: is not a setting of this project; its settings are supabase-fleet:<key>; did you mean supabase-fleet:ref?");
        expect(result.stderr).not.toContain("docker:host");
        expect(result.stderr).toContain("  - supabase-fleet:smtpHost: is not a secret setting but is stored encrypted");
        expect(result.stderr).not.toContain("opaque-secret");
    });

    it("a misspelled top-level section", () => {
        expectRefused(plan("section", "confg:\n  supabase-fleet:ref: x\n"), 'error: Pulumi.section.yaml: unknown top-level section "confg"');
    });

    it("a YAML alias bomb", () => {
        // Each level holds nine aliases of the one before: nine levels expand to 387 million values.
        const levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"];
        for (let i = 1; i <= 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(", ")}]`);
        expectRefused(plan("bomb", `${levels.join("\n")}\n${BASE}`), "error: Pulumi.bomb.yaml: YAML aliases expand more than");
    });

    it("duplicate keys, naming the position", () => {
        expectRefused(plan("duplicate", `${BASE}  supabase-fleet:authEmailAutoconfirm: false\n`), "error: Pulumi.duplicate.yaml: malformed YAML: Map keys must be unique at line 3, column 3 (key \"supabase-fleet:authEmailAutoconfirm\")");
    });

    it("invalid UTF-8, naming the line", () => {
        expectRefused(plan("utf8", Buffer.concat([Buffer.from(`${BASE}  supabase-fleet:smtpSenderName: "A`), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')])), "error: Pulumi.utf8.yaml: is not valid UTF-8 (first bad byte on line 3)");
    });

    it("a secret's text and URL credentials never reach the output, and every setting problem shows at once", () => {
        const result = plan(
            "leak",
            `${BASE}  supabase-fleet:authOAuthProviders: ["github:abc"]\n  supabase-fleet:authOAuthClientSecrets: ["topsecretvalue", "github:s3cr3t", "github:s3cr3t2"]\n` +
                `  supabase-fleet:siteUrl: "https://admin:hunter2@app.example.com"\n  aws:region: eu-west-1\n`,
        );
        expectRefused(result, '  - supabase-fleet:authOAuthClientSecrets.0: each entry must be "<provider>:<client secret>" with a provider from');
        expect(result.stderr).toContain("  - supabase-fleet:authOAuthClientSecrets: has two secrets for provider github; each provider has exactly one\n");
        expect(result.stderr).toContain("  - supabase-fleet:siteUrl: must not contain credentials (user:password@)\n");
        expect(result.stderr).toContain("  - aws:region: is not a setting of this project");
        expect(result.stderr).not.toMatch(/topsecret|s3cr3t|hunter2/);
    });

    it("a misspelled section and a key with a terminal escape, both in one report, the key escaped", () => {
        const result = plan("keys", `confg:\n  x: 1\nconfig:\n  "supabase-fleet:a\\e]0;pwned\\ab": 1\n`);
        expectRefused(result, 'error: Pulumi.keys.yaml: unknown top-level section "confg"');
        expect(result.stderr).toContain('Pulumi.keys.yaml: config key "supabase-fleet:a\\u001b]0;pwned\\u0007b" must be "<namespace>:<key>" of printable characters');
        expect(result.stderr).not.toContain("\u001b");
    });
});
