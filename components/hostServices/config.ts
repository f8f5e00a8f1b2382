/**
 * The host stack's config: one source of truth for every setting of a Docker host's shared services,
 * validated as strictly as a tenant's (unknown keys refused, one line per problem that names the key
 * and what is allowed, secrets never echoed). Keys are `supabase-fleet-host:<key>` in a host stack;
 * `fleet sync` writes them from the host's `edge:` section of fleet.yaml.
 */
import { z } from "zod";
import { FLEET_HOST_NAME } from "../config/schema.js";
import { dockerHostProblem } from "../config/dockerHost.js";
import { imageReferenceProblem } from "../config/images.js";
import { CONTROL_CHARACTERS, escapeControlCharacters } from "../config/text.js";
import { domainNameProblem } from "../config/urls.js";
import { HOST_PROJECT_NAME } from "./catalog.js";

export const EDGE_TLS_MODES = ["acme", "internal"] as const;
export type EdgeTlsMode = (typeof EDGE_TLS_MODES)[number];

/** One tenant's routes on the host: every hostname goes to that tenant's gateway and no other. */
export interface EdgeRoute {
    readonly ref: string;
    readonly hostnames: readonly string[];
    /** Largest request body the proxy passes on: the tenant's upload limit, as its gateway has it. */
    readonly maxBodyBytes: number;
}

export interface HostServicesConfig {
    readonly host: string;
    readonly dockerHost: string;
    readonly dockerTlsCertPath?: string;
    readonly baseDomain: string;
    readonly bindAddress: string;
    readonly httpPort: number;
    readonly httpsPort: number;
    readonly tls: EdgeTlsMode;
    readonly acmeEmail?: string;
    readonly acmeStaging: boolean;
    readonly acmeCaUrl?: string;
    readonly acmeDnsProvider?: string;
    /** Secret: the DNS provider's API token for DNS-01 (wildcard certificates). */
    readonly acmeDnsApiToken?: string;
    readonly proxyImage?: string;
    readonly proxyMemoryMb: number;
    readonly routes: readonly EdgeRoute[];
}

const checked = (problemOf: (value: string) => string | undefined) =>
    z.string({ error: "must be a string" }).superRefine((value, ctx) => {
        const problem = problemOf(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
const port = (fallback: number) => z.int({ error: "must be a whole number from 1 to 65535" }).min(1, { error: "must be a whole number from 1 to 65535" }).max(65535, { error: "must be a whole number from 1 to 65535" }).default(fallback);
const REF = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
// The proxy's config file has no quoting: only characters of an address and of a URL path reach it.
const EMAIL = /^[A-Za-z0-9._%+-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
const CA_URL = /^https:\/\/[a-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~%/-]*)?$/;
const DNS_PROVIDER = /^[a-z][a-z0-9_]{1,31}$/;
const MAX_BODY_BYTES = 50 * 1024 * 1024 * 1024;

const routeShape = z.strictObject(
    {
        ref: z.string({ error: "must be a tenant ref" }).regex(REF, { error: "must be a tenant ref" }),
        hostnames: z.array(checked(domainNameProblem), { error: "must be a list of DNS names" }).min(1, { error: "must name at least one hostname" }),
        maxBodyBytes: z.int({ error: "must be a whole number of bytes" }).min(1, { error: "must be at least 1" }).max(MAX_BODY_BYTES, { error: `must be at most ${MAX_BODY_BYTES}` }),
    },
    { error: (issue) => (issue.code === "unrecognized_keys" ? "unknown key (allowed: ref, hostnames, maxBodyBytes)" : "must be { ref, hostnames, maxBodyBytes }") },
);

export const HOST_SETTINGS = {
    host: z.string({ error: "must be the host's name in fleet.yaml" }).regex(FLEET_HOST_NAME, { error: "must be a host name of fleet.yaml (lowercase letters, digits and hyphens)" }).max(63, { error: "must be at most 63 characters" }),
    dockerHost: checked((value) => dockerHostProblem(value)).default("unix:///var/run/docker.sock"),
    dockerTlsCertPath: z.string({ error: "must be a string" }).regex(/^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._][A-Za-z0-9._-]*)+$/, { error: "must be an absolute path of plain segments" }).optional(),
    baseDomain: checked(domainNameProblem),
    bindAddress: z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address, for example 0.0.0.0" }).default("0.0.0.0"),
    httpPort: port(80),
    httpsPort: port(443),
    tls: z.enum(EDGE_TLS_MODES, { error: `must be one of ${EDGE_TLS_MODES.join(", ")} (acme: public certificates; internal: the proxy's own CA, for development)` }).default("acme"),
    acmeEmail: z.string({ error: "must be an email address" }).regex(EMAIL, { error: "must be an email address such as ops@example.com" }).optional(),
    acmeStaging: z.boolean({ error: "must be true or false" }).default(false),
    acmeCaUrl: z.string({ error: "must be a string" }).regex(CA_URL, { error: "must be an https:// URL of an ACME directory" }).optional(),
    acmeDnsProvider: z.string({ error: "must be a string" }).regex(DNS_PROVIDER, { error: "must be the name of a Caddy DNS provider module, such as cloudflare (lowercase letters, digits, _)" }).optional(),
    acmeDnsApiToken: z.string({ error: "must be a string" }).min(8, { error: "must be at least 8 characters" }).optional(),
    proxyImage: checked(imageReferenceProblem).optional(),
    proxyMemoryMb: z.int({ error: "must be a whole number of MiB" }).min(64, { error: "must be at least 64 (MiB)" }).max(65536, { error: "must be at most 65536 (MiB)" }).default(256),
    routes: z.array(routeShape, { error: "must be a list of tenant routes" }).default([]),
};

type HostSettingKey = keyof typeof HOST_SETTINGS;
export const HOST_SETTING_KEYS = Object.keys(HOST_SETTINGS) as HostSettingKey[];
export const HOST_SECRET_KEYS: readonly HostSettingKey[] = ["acmeDnsApiToken"];
const NUMBER_KEYS: readonly HostSettingKey[] = ["httpPort", "httpsPort", "proxyMemoryMb"];
const BOOLEAN_KEYS: readonly HostSettingKey[] = ["acmeStaging"];
const JSON_KEYS: readonly HostSettingKey[] = ["routes"];

const hostSchema = z
    .strictObject(HOST_SETTINGS, { error: (issue) => (issue.code === "unrecognized_keys" ? "unknown setting" : undefined) })
    .superRefine((config, ctx) => {
        const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
        if (config.httpPort === config.httpsPort) problem(["httpsPort"], "must differ from httpPort");
        if (config.tls === "internal") {
            for (const key of ["acmeEmail", "acmeCaUrl", "acmeDnsProvider", "acmeDnsApiToken"] as const) {
                if (config[key] !== undefined) problem([key], 'is an ACME setting; tls is "internal" (the proxy\'s own CA)');
            }
        }
        if ((config.acmeDnsProvider === undefined) !== (config.acmeDnsApiToken === undefined)) {
            problem([config.acmeDnsProvider === undefined ? "acmeDnsProvider" : "acmeDnsApiToken"], "acmeDnsProvider and acmeDnsApiToken must be set together (DNS-01 needs both)");
        }
        if (config.acmeStaging && config.acmeCaUrl !== undefined) problem(["acmeCaUrl"], "must not be set with acmeStaging (staging is Let's Encrypt's staging directory)");
        // A hostname served twice would send one tenant's traffic to another.
        const owner = new Map<string, string>();
        config.routes.forEach((route, index) => {
            if (config.routes.findIndex((other) => other.ref === route.ref) !== index) problem(["routes", index, "ref"], `tenant ${route.ref} has more than one route entry`);
            for (const hostname of route.hostnames) {
                const first = owner.get(hostname);
                if (first !== undefined && first !== route.ref) problem(["routes", index, "hostnames"], `${hostname} is already a hostname of tenant ${first}`);
                if (hostname === config.baseDomain) problem(["routes", index, "hostnames"], `${hostname} is the base domain itself, not a tenant's hostname`);
                owner.set(hostname, route.ref);
            }
        });
    });

export class HostConfigError extends Error {
    /** `where`: which stack, when the message leaves the program (`host stack edge-1`). */
    constructor(readonly problems: readonly string[], where?: string) {
        super(`Invalid host stack config${where ? ` (${where})` : ""}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "HostConfigError";
    }
}

/**
 * Validates the settings of a host stack, keyed by bare name; strings (as Pulumi hands them over) are
 * read by the kind the key has. `encryptedKeys`: keys Pulumi holds encrypted (a secret stored in
 * plain text is refused).
 */
export function parseHostConfig(raw: Readonly<Record<string, unknown>>, encryptedKeys?: ReadonlySet<string>): HostServicesConfig {
    const problems: string[] = [];
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        if (typeof value === "string" && CONTROL_CHARACTERS.test(value)) problems.push(`${HOST_PROJECT_NAME}:${escapeControlCharacters(key)}: must not contain control characters`);
        values[key] = coerce(key as HostSettingKey, value);
    }
    if (encryptedKeys) {
        for (const key of HOST_SECRET_KEYS) {
            if (raw[key] !== undefined && !encryptedKeys.has(key)) problems.push(`${HOST_PROJECT_NAME}:${key}: is a secret but is stored in plaintext; set it with \`pulumi config set --secret\``);
        }
    }
    const parsed = hostSchema.safeParse(values);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            const path = issue.path.length > 0 ? issue.path.map((part) => (typeof part === "number" ? `[${part}]` : String(part))).join(".").replace(/\.\[/g, "[") : "(config)";
            const keys = issue.code === "unrecognized_keys" ? issue.keys.map((key) => escapeControlCharacters(key)).join(", ") : undefined;
            problems.push(keys ? `${HOST_PROJECT_NAME}:${keys}: ${issue.message} (settings: ${HOST_SETTING_KEYS.join(", ")})` : `${HOST_PROJECT_NAME}:${path}: ${issue.message}`);
        }
    }
    if (problems.length > 0 || !parsed.success) throw new HostConfigError(problems);
    return parsed.data as HostServicesConfig;
}

function coerce(key: HostSettingKey, value: unknown): unknown {
    if (typeof value !== "string") return value;
    if (NUMBER_KEYS.includes(key)) return /^\d+$/.test(value) ? Number(value) : value;
    if (BOOLEAN_KEYS.includes(key)) return value === "true" ? true : value === "false" ? false : value;
    if (JSON_KEYS.includes(key)) {
        try {
            return JSON.parse(value) as unknown;
        } catch {
            return value;
        }
    }
    return value;
}

/** The settings as stack config strings (what the fleet writes; routes as JSON). */
export function hostConfigSettings(config: Readonly<Record<string, unknown>>): Record<string, string> {
    const settings: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        if (value === undefined) continue;
        settings[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return settings;
}
