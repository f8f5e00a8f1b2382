/**
 * The edge proxy's config (a Caddyfile) from the host stack's validated config. Every value in it
 * passed the host schema (DNS names, refs, an email, an https URL), so none can open a block or a
 * directive. Secrets never appear: the DNS provider's token is read from the proxy's environment.
 */
import { containerName } from "../names.js";
import { INTERNAL_PORTS } from "../catalog.js";
import { ACME_STAGING_CA, EDGE_DATA_DIR, EDGE_DNS_TOKEN_ENV, EDGE_HTTPS_PORT_IN_CONTAINER, EDGE_HTTP_PORT_IN_CONTAINER, STREAM_CLOSE_DELAY } from "./catalog.js";
import type { EdgeRoute, HostServicesConfig } from "./config.js";

/** The status and body of a hostname under the base domain that no tenant has. */
export const UNKNOWN_HOST_STATUS = 404;
export const UNKNOWN_HOST_BODY = "no project at this hostname";

export function renderCaddyfile(config: HostServicesConfig): string {
    const lines: string[] = ["# Rendered by supabase-fleet from the host stack's config; changes here are overwritten.", "{", ...globalOptions(config).map((line) => `\t${line}`), "}", ""];
    for (const route of [...config.routes].sort((a, b) => a.ref.localeCompare(b.ref))) lines.push(...tenantSite(route, config), "");
    lines.push(...catchAllSites(config));
    return `${lines.join("\n")}\n`;
}

function globalOptions(config: HostServicesConfig): string[] {
    const options = [
        // No admin endpoint: the proxy reloads by watching its routes file, so nothing on the edge
        // network (every tenant's gateway is on it) can change its config.
        "admin off",
        "persist_config off",
        `storage file_system ${EDGE_DATA_DIR}/caddy`,
        `http_port ${EDGE_HTTP_PORT_IN_CONTAINER}`,
        `https_port ${EDGE_HTTPS_PORT_IN_CONTAINER}`,
        "servers {",
        // HTTP/3 needs the UDP port published too; h1 and h2 cover every client.
        "\tprotocols h1 h2",
        "\ttimeouts {",
        "\t\tread_header 30s",
        "\t\tidle 5m",
        "\t}",
        "}",
    ];
    if (config.tls === "internal") return [...options, "local_certs", "skip_install_trust"];
    return [
        ...options,
        ...(config.acmeEmail ? [`email ${config.acmeEmail}`] : []),
        ...(config.acmeStaging ? [`acme_ca ${ACME_STAGING_CA}`] : config.acmeCaUrl ? [`acme_ca ${config.acmeCaUrl}`] : []),
        ...(config.acmeDnsProvider ? [`acme_dns ${config.acmeDnsProvider} {env.${EDGE_DNS_TOKEN_ENV}}`] : []),
    ];
}

function tenantSite(route: EdgeRoute, _config: HostServicesConfig): string[] {
    return [
        `${route.hostnames.join(", ")} {`,
        "\trequest_body {",
        `\t\tmax_size ${route.maxBodyBytes}`,
        "\t}",
        // Caddy resolves the gateway's name per connection, so a route may exist before its tenant is up.
        `\treverse_proxy ${containerName(route.ref, "kong")}:${INTERNAL_PORTS.kongHttp} {`,
        `\t\tstream_close_delay ${STREAM_CLOSE_DELAY}`,
        "\t}",
        "}",
    ];
}

/**
 * Hostnames no tenant has get a 404 from the proxy itself. Under the base domain this needs a wildcard
 * certificate: the internal CA issues one, ACME only through DNS-01. Without it an unknown hostname
 * fails the TLS handshake, which reaches no tenant either.
 */
function catchAllSites(config: HostServicesConfig): string[] {
    const wildcard = config.tls === "internal" || config.acmeDnsProvider !== undefined;
    const notFound = `\trespond "${UNKNOWN_HOST_BODY}" ${UNKNOWN_HOST_STATUS}`;
    return [...(wildcard ? [`*.${config.baseDomain} {`, notFound, "}", ""] : []), "http:// {", notFound, "}"];
}
