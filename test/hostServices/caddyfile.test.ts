import { describe, expect, it } from "vitest";
import { renderCaddyfile } from "../../components/hostServices/caddyfile.js";
import { parseHostConfig } from "../../components/hostServices/config.js";

const routes = [
    { ref: "beta", hostnames: ["beta.tenants.example.com"], maxBodyBytes: 2048 },
    { ref: "acme", hostnames: ["acme.tenants.example.com", "api.acme.io"], maxBodyBytes: 53477376 },
];

/** The site blocks of a Caddyfile: the address line and the lines inside, by address. */
function sites(caddyfile: string): Map<string, string[]> {
    const blocks = new Map<string, string[]>();
    let current: string[] | undefined;
    let depth = 0;
    for (const line of caddyfile.split("\n")) {
        if (depth === 0 && line.endsWith(" {") && !line.startsWith("{")) {
            current = [];
            blocks.set(line.slice(0, -2), current);
        }
        depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
        if (current && depth > 0 && !line.endsWith(" {")) current.push(line.trim());
        if (depth === 0) current = undefined;
    }
    return blocks;
}

describe("the edge proxy's Caddyfile", () => {
    it("sends each tenant's hostnames to that tenant's gateway only, with its body limit, websockets kept over reloads", () => {
        const text = renderCaddyfile(parseHostConfig({ host: "local", baseDomain: "tenants.example.com", tls: "internal", routes }));
        const blocks = sites(text);
        expect([...blocks.keys()]).toEqual(["acme.tenants.example.com, api.acme.io", "beta.tenants.example.com", "*.tenants.example.com", "http://"]);
        expect(blocks.get("acme.tenants.example.com, api.acme.io")).toEqual(["max_size 53477376", "}", "stream_close_delay 10m", "}"]);
        expect(text).toContain("\treverse_proxy acme-kong:8000 {\n");
        expect(text).toContain("\treverse_proxy beta-kong:8000 {\n");
        expect(text.match(/reverse_proxy/g)).toHaveLength(2);
        // Unknown hostnames: the proxy's own 404, under the base domain and on plain HTTP.
        expect(blocks.get("*.tenants.example.com")).toEqual(['respond "no project at this hostname" 404']);
        expect(text).toContain("\tlocal_certs\n\tskip_install_trust\n");
        expect(text).toContain("\tadmin off\n");
    });

    it("uses ACME with the platform's settings, and the DNS token only by its environment variable", () => {
        const token = "cf-token-that-must-not-appear";
        const staging = renderCaddyfile(parseHostConfig({ host: "local", baseDomain: "tenants.example.com", acmeEmail: "ops@example.com", acmeStaging: true, acmeDnsProvider: "cloudflare", acmeDnsApiToken: token, routes }));
        expect(staging).toContain("\temail ops@example.com\n");
        expect(staging).toContain("\tacme_ca https://acme-staging-v02.api.letsencrypt.org/directory\n");
        expect(staging).toContain("\tacme_dns cloudflare {env.EDGE_DNS_API_TOKEN}\n");
        expect(staging).not.toContain(token);
        expect(staging).not.toContain("local_certs");
        expect(sites(staging).has("*.tenants.example.com")).toBe(true);
        // Without DNS-01 there is no wildcard certificate: unknown names fail the handshake instead.
        const http01 = renderCaddyfile(parseHostConfig({ host: "local", baseDomain: "tenants.example.com", routes }));
        expect(sites(http01).has("*.tenants.example.com")).toBe(false);
        expect(http01).not.toContain("acme_ca");
    });
});
