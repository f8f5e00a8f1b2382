import { describe, expect, it } from "vitest";
import { OPAQUE_SECRET } from "../../components/config/load.js";
import { DEFAULT_HOST, parseRegistry, RegistryError } from "../../stacks/fleet/registry.js";

/** Tenants need an SMTP server unless sign-ups autoconfirm: keep the fixtures minimal. */
const NO_MAIL = { authEmailAutoconfirm: true };

function problemsOf(document: unknown, env: NodeJS.ProcessEnv = {}): readonly string[] {
    try {
        parseRegistry(document, "fleet.yaml", env);
    } catch (error) {
        if (error instanceof RegistryError) return error.problems;
        throw error;
    }
    throw new Error("expected a RegistryError");
}

const hosts = {
    local: { dockerHost: "unix:///var/run/docker.sock", portRange: { from: 54400, to: 54499 } },
    edge: { dockerHost: "ssh://deploy@edge-1", portRange: { from: 20000, to: 20099 }, bindAddress: "0.0.0.0" },
};

describe("fleet registry", () => {
    it("merges each tenant over defaults and its host, keeping only the keys the registry states", () => {
        const registry = parseRegistry(
            { defaults: { ...NO_MAIL, siteUrl: "https://app.example.com", analyticsEnabled: false }, hosts, tenants: [{ ref: "acme", host: "edge", analyticsEnabled: true, kongHttpPort: 20050 }] },
            "fleet.yaml",
            {},
        );
        expect(registry.tenants).toHaveLength(1);
        const tenant = registry.tenants[0]!;
        expect(tenant.host?.name).toBe("edge");
        expect(tenant.settings).toEqual({
            authEmailAutoconfirm: true,
            siteUrl: "https://app.example.com",
            analyticsEnabled: true,
            ref: "acme",
            kongHttpPort: 20050,
            dockerHost: "ssh://deploy@edge-1",
            bindAddress: "0.0.0.0",
            fleetHost: "edge",
        });
        expect(tenant.explicitPorts).toEqual({ kongHttpPort: 20050 });
        expect(tenant.config.jwtExpirySeconds).toBe(3600);
    });

    it("places tenants on the built-in local host when no hosts are defined", () => {
        const registry = parseRegistry({ defaults: NO_MAIL, tenants: [{ ref: "acme" }] }, "fleet.yaml", {});
        expect(registry.tenants[0]!.host).toEqual(DEFAULT_HOST);
    });

    it("resolves fromEnv references, and refuses secrets written in plain text", () => {
        const registry = parseRegistry(
            { tenants: [{ ref: "acme", smtpHost: "smtp.example.com", smtpUser: "mailer", smtpPassword: { fromEnv: "ACME_SMTP" } }] },
            "fleet.yaml",
            { ACME_SMTP: "from-the-environment" },
        );
        expect(registry.tenants[0]!.settings.smtpPassword).toBe("from-the-environment");

        expect(problemsOf({ defaults: NO_MAIL, tenants: [{ ref: "acme", jwtSecret: "x".repeat(40) }] })).toEqual([
            "tenants[0] (acme).jwtSecret: is a secret and must not be written in the registry; use { fromEnv: VARIABLE } or leave it unset to have it generated",
        ]);
        expect(problemsOf({ tenants: [{ ref: "acme", jwtSecret: { fromEnv: "MISSING_VAR" } }] })).toEqual([
            "tenants[0] (acme).jwtSecret: environment variable MISSING_VAR is not set (referenced by fromEnv)",
        ]);
    });

    it("for read-only commands, an unset fromEnv leaves a secret set but unknown and any other setting unset", () => {
        const document = { defaults: NO_MAIL, tenants: [{ ref: "acme", jwtSecret: { fromEnv: "MISSING_SECRET" }, siteUrl: { fromEnv: "MISSING_URL" } }] };
        const tenant = parseRegistry(document, "fleet.yaml", {}, { unresolvedEnv: "tolerate" }).tenants[0]!;
        expect([tenant.settings.jwtSecret, "siteUrl" in tenant.settings]).toEqual([OPAQUE_SECRET, false]);
        expect(problemsOf(document)).toHaveLength(2);
    });

    it("reports every problem at once, one line each, naming the tenant and key", () => {
        const problems = problemsOf({
            defaults: NO_MAIL,
            hosts,
            tenants: [{ ref: "acme", host: "local", kongHttpPort: "eighty" }, { ref: "acme", host: "local" }, { ref: "beta", fleetHost: "edge" }, { ref: "gamma", host: "mars" }],
        });
        expect(problems).toEqual([
            'tenants[0] (acme).kongHttpPort: must be a whole number from 1 to 65535 (got "eighty")',
            'tenants[1] (acme).ref: "acme" is listed twice (also tenants[0]); refs must be unique',
            "tenants[2] (beta).fleetHost: set host: <name> instead; fleetHost comes from hosts.<name>",
            'tenants[3] (gamma).host: unknown host "mars" (defined hosts: local, edge)',
        ]);
    });

    it("rejects an unknown setting with a suggestion, dockerHost on a tenant, and overlapping ranges on one daemon", () => {
        expect(problemsOf({ defaults: NO_MAIL, tenants: [{ ref: "acme", sitUrl: "https://x.example.com" }] })).toEqual([
            "tenants[0] (acme).sitUrl: unknown setting; did you mean siteUrl? (all settings are listed in Pulumi.yaml)",
        ]);
        expect(problemsOf({ tenants: [{ ref: "acme", dockerHost: "tcp://h:2375" }] })).toEqual([
            "tenants[0] (acme).dockerHost: set host: <name> instead; dockerHost comes from hosts.<name>",
        ]);
        expect(
            problemsOf({
                hosts: {
                    a: { dockerHost: "tcp://h:2376", dockerTlsCertPath: "/etc/fleet/tls/h", portRange: { from: 100, to: 200 } },
                    b: { dockerHost: "tcp://h:2376", dockerTlsCertPath: "/etc/fleet/tls/h", portRange: { from: 150, to: 300 } },
                },
                tenants: [],
            }),
        ).toEqual(["hosts.b.portRange: overlaps hosts.a.portRange on the same Docker host tcp://h:2376"]);
        // A tcp host is TLS only, and its TLS folder is the host's, never a tenant's or a default.
        expect(
            problemsOf({
                defaults: { dockerTlsCertPath: "/tls" },
                hosts: { a: { dockerHost: "tcp://h:2376", portRange: { from: 100, to: 200 } }, b: { dockerHost: "unix:///run/docker.sock", dockerTlsCertPath: "/tls", portRange: { from: 300, to: 400 } } },
                tenants: [{ ref: "acme", host: "a", dockerTlsCertPath: "/tls" }],
            }),
        ).toEqual([
            "hosts.a.dockerTlsCertPath: is required with a tcp:// dockerHost: a folder with ca.pem, cert.pem and key.pem (the daemon is reached only over verified TLS)",
            "hosts.b.dockerTlsCertPath: only applies to a tcp:// dockerHost",
            "defaults.dockerTlsCertPath: cannot be a default (set host: <name> per tenant; dockerTlsCertPath comes from hosts.<name>)",
            "tenants[0] (acme).dockerTlsCertPath: set host: <name> instead; dockerTlsCertPath comes from hosts.<name>",
        ]);
        expect(problemsOf({ tenant: [] })).toEqual(["tenants: must be a list of tenants (- ref: <ref> ...)", "(top level): unknown key (allowed: defaults, hosts, tenants)"]);
    });
});
