import { describe, expect, it } from "vitest";
import { HostConfigError, parseHostConfig } from "../../components/hostServices/config.js";

const BASE = { host: "edge-1", baseDomain: "tenants.example.com", tls: "internal" };
const route = (ref: string, ...hostnames: string[]) => ({ ref, hostnames, maxBodyBytes: 1024 });

function problemsOf(raw: Record<string, unknown>, encrypted?: Set<string>): string[] {
    try {
        parseHostConfig(raw, encrypted);
    } catch (error) {
        if (error instanceof HostConfigError) return [...error.problems];
        throw error;
    }
    return [];
}

describe("host stack config", () => {
    it("reads Pulumi's strings by kind and fills the defaults", () => {
        const config = parseHostConfig({ ...BASE, httpPort: "8080", acmeStaging: "false", routes: JSON.stringify([route("acme", "acme.tenants.example.com")]) });
        expect(config).toMatchObject({ httpPort: 8080, httpsPort: 443, bindAddress: "0.0.0.0", dockerHost: "unix:///var/run/docker.sock", proxyMemoryMb: 256, routes: [route("acme", "acme.tenants.example.com")] });
    });

    it.each([
        [{ baseDomain: "tenants.example.com { respond 200" }, "supabase-fleet-host:baseDomain: must be a DNS name of at least two labels, lowercase letters, digits and hyphens (such as api.example.com), without scheme, port, wildcard or trailing dot"],
        [{ baseDomain: "Tenants.Example.com" }, "supabase-fleet-host:baseDomain: must be a DNS name of at least two labels, lowercase letters, digits and hyphens (such as api.example.com), without scheme, port, wildcard or trailing dot"],
        [{ routes: [route("acme", "acme.example.com }")] }, "supabase-fleet-host:routes[0].hostnames[0]: must be a DNS name of at least two labels, lowercase letters, digits and hyphens (such as api.example.com), without scheme, port, wildcard or trailing dot"],
        [{ routes: [route("acme", "*.example.com")] }, "supabase-fleet-host:routes[0].hostnames[0]: must be a DNS name of at least two labels, lowercase letters, digits and hyphens (such as api.example.com), without scheme, port, wildcard or trailing dot"],
        [{ tls: "off" }, "supabase-fleet-host:tls: must be one of acme, internal (acme: public certificates; internal: the proxy's own CA, for development)"],
        [{ acmeEmail: "ops@example.com" }, 'supabase-fleet-host:acmeEmail: is an ACME setting; tls is "internal" (the proxy\'s own CA)'],
        [{ httpPort: 443 }, "supabase-fleet-host:httpsPort: must differ from httpPort"],
        [{ frobnicate: 1 }, "supabase-fleet-host:frobnicate: unknown setting (settings: host, dockerHost, dockerTlsCertPath, baseDomain, bindAddress, httpPort, httpsPort, tls, acmeEmail, acmeStaging, acmeCaUrl, acmeDnsProvider, acmeDnsApiToken, proxyImage, proxyMemoryMb, routes)"],
        [{ routes: [route("acme", "a.example.com"), route("beta", "a.example.com")] }, "supabase-fleet-host:routes[1].hostnames: a.example.com is already a hostname of tenant acme"],
        [{ routes: [route("acme", "tenants.example.com")] }, "supabase-fleet-host:routes[0].hostnames: tenants.example.com is the base domain itself, not a tenant's hostname"],
    ])("refuses %j with one line naming the setting", (override, message) => {
        expect(problemsOf({ ...BASE, ...override })).toEqual([message]);
    });

    it("needs the DNS provider and its token together, and the token stored encrypted, never echoing it", () => {
        const acme = { ...BASE, tls: "acme" };
        expect(problemsOf({ ...acme, acmeDnsProvider: "cloudflare" })).toEqual(["supabase-fleet-host:acmeDnsApiToken: acmeDnsProvider and acmeDnsApiToken must be set together (DNS-01 needs both)"]);
        const problems = problemsOf({ ...acme, acmeDnsProvider: "cloudflare", acmeDnsApiToken: "token-value-1234" }, new Set());
        expect(problems).toEqual(["supabase-fleet-host:acmeDnsApiToken: is a secret but is stored in plaintext; set it with `pulumi config set --secret`"]);
        expect(problems.join("\n")).not.toContain("token-value-1234");
        expect(problemsOf({ ...acme, acmeDnsProvider: "cloudflare", acmeDnsApiToken: "token-value-1234" }, new Set(["acmeDnsApiToken"]))).toEqual([]);
    });
});
