/**
 * The tenant config: the one source of truth for every setting of a tenant project.
 *
 * Keys are flat because Pulumi's project file can only declare `string`, `integer`, `boolean` and
 * `array` settings; each key here becomes `supabase-fleet:<key>` in a stack's config and in
 * `Pulumi.yaml` (generated from this file by `npm run gen:project-config`, checked by a test), and the
 * same keys describe a tenant in the fleet registry.
 */
import { z } from "zod";
import { SERVICE_CATALOG, SERVICE_NAMES, type ServiceName } from "../catalog.js";
import { DEFAULT_RELEASE, GATEWAY_NAMES, RELEASE_NAMES, UNSET_GATEWAY, UNSET_RELEASE, type GatewayName, type ReleaseName } from "../releases.js";
import { checkTenantConsistency } from "./rules.js";
import {
    API_KEY_ISSUED_AT,
    DEFAULT_API_KEY_EXPIRES_AT,
    MAX_API_KEY_EXPIRES_AT,
    MAX_CLIENT_CONNECTIONS,
    MAX_CPUS,
    MAX_FILE_SIZE_LIMIT_BYTES,
    MAX_JWT_EXPIRY_SECONDS,
    MAX_MEMORY_MB,
    MAX_POOL_SIZE,
    KEPT_GENERATION,
    MAX_DB_DATA_GENERATION,
    MAX_SIGNING_KEY_GENERATION,
    MAX_SETTING_BYTES,
    MIN_CPUS,
    OAUTH_PROVIDERS,
    OPAQUE_SECRET,
    RESERVED_REF_PREFIX,
} from "./constants.js";
import { dockerHostProblem } from "./dockerHost.js";
import { imageReferenceProblem } from "./images.js";
import { CONTROL_CHARACTERS } from "./text.js";
import { domainNameProblem, hostNameProblem, httpUrlProblem, redirectEntryProblem } from "./urls.js";

export { API_KEY_ISSUED_AT, DEFAULT_API_KEY_EXPIRES_AT, OAUTH_PROVIDERS, PROJECT_NAME } from "./constants.js";

export type SettingKind = "string" | "integer" | "boolean" | "array";

export interface SettingMeta {
    readonly kind: SettingKind;
    readonly description: string;
    /** Secret settings are encrypted in stack config and only ever handled as Pulumi secrets. */
    readonly secret: boolean;
    readonly default?: string | number | boolean | readonly string[];
}

interface Setting<T extends z.ZodType> {
    readonly schema: T;
    readonly meta: SettingMeta;
}

function setting<T extends z.ZodType>(schema: T, kind: SettingKind, description: string, secret = false): Setting<T> {
    const defaultValue = schema instanceof z.ZodDefault ? (schema.def.defaultValue as SettingMeta["default"]) : undefined;
    return { schema, meta: { kind, description, secret, ...(defaultValue === undefined ? {} : { default: defaultValue }) } };
}

// ---- value shapes, each with a message that says what is allowed ----

/** A host's name in fleet.yaml (and in a stack's fleetHost). */
export const FLEET_HOST_NAME = /^[a-z0-9][a-z0-9-]*$/;
const fleetHostName = z
    .string({ error: "must be a string" })
    .regex(FLEET_HOST_NAME, { error: "must be a host name of fleet.yaml (lowercase letters, digits and hyphens)" })
    .max(63, { error: "must be at most 63 characters" })
    .optional();
const DNS_LABEL = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const refShape = z
    .string({ error: "must be a string" })
    .regex(DNS_LABEL, {
        error: "must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit (it is used in every Docker name and host name)",
    })
    .refine((ref) => ref !== RESERVED_REF_PREFIX && !ref.startsWith(`${RESERVED_REF_PREFIX}-`), {
        error: `must not be "${RESERVED_REF_PREFIX}" or start with "${RESERVED_REF_PREFIX}-" (upstream's compose project names its Docker objects so)`,
    });

const port = (fallback: number) =>
    z
        .int({ error: "must be a whole number from 1 to 65535" })
        .min(1, { error: "must be a whole number from 1 to 65535" })
        .max(65535, { error: "must be a whole number from 1 to 65535" })
        .default(fallback);

const boundedInt = (fallback: number, max: number, what: string) =>
    z
        .int({ error: `must be a whole number (${what})` })
        .min(1, { error: `must be at least 1 (${what})` })
        .max(max, { error: `must be at most ${max} (${what})` })
        .default(fallback);

const keptGenerationProblem = (value: string) => (KEPT_GENERATION.test(value) ? undefined : "must be <generation>:<Postgres major>, such as 1:15 (fleet upgrade-db writes it)");

const flag = (fallback: boolean) => z.boolean({ error: "must be true or false" }).default(fallback);

/** A string checked by a function that returns what is wrong with it (one message per value). */
const checkedText = (problemOf: (value: string) => string | undefined) =>
    z.string({ error: "must be a string" }).superRefine((value, ctx) => {
        const problem = problemOf(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    });

const httpUrl = checkedText(httpUrlProblem);

const optionalText = (what: string) => z.string({ error: `must be a string (${what})` }).min(1, { error: "must not be empty" }).optional();

/**
 * A secret string. `OPAQUE_SECRET` (a value that cannot be read here, see constants.ts) counts as set
 * and valid, since its content cannot be checked.
 */
const secretText = (minLength: number, what: string) =>
    z
        .string({ error: "must be a string" })
        .refine((value) => value === OPAQUE_SECRET || value.length >= minLength, { error: `must be at least ${minLength} characters (${what})` })
        .optional();

const dockerHost = z
    .string({ error: "must be a string" })
    .superRefine((value, ctx) => {
        const problem = dockerHostProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .default("unix:///var/run/docker.sock");

const cpus = (fallback: string) =>
    z
        .string({ error: 'must be a decimal number of CPUs as a string, for example "0.5" or "2"' })
        .regex(/^(?:\d+(?:\.\d+)?)$/, { error: 'must be a decimal number of CPUs, for example "0.5" or "2"' })
        .refine((v) => Number(v) >= MIN_CPUS, { error: `must be at least ${MIN_CPUS} (Docker's smallest CPU limit)` })
        .refine((v) => Number(v) <= MAX_CPUS, { error: `must be at most ${MAX_CPUS}` })
        .default(fallback);

// Unset means the release's image.
const imageRef = checkedText(imageReferenceProblem).optional();

// ---- the settings ----

function perServiceSettings() {
    const entries: Record<string, Setting<z.ZodType>> = {};
    for (const service of SERVICE_NAMES) {
        const catalog = SERVICE_CATALOG[service];
        entries[`${service}Image`] = setting(imageRef, "string", `Image of the ${service} service, overriding the release's. Unset: the release's image.`);
        entries[`${service}MemoryMb`] = setting(
            z
                .int({ error: "must be a whole number of MiB" })
                .min(64, { error: "must be at least 64 (MiB)" })
                .max(MAX_MEMORY_MB, { error: `must be at most ${MAX_MEMORY_MB} (MiB)` })
                .default(catalog.defaultMemoryMb),
            "integer",
            `Memory limit of the ${service} container, in MiB.`,
        );
        entries[`${service}Cpus`] = setting(cpus(catalog.defaultCpus), "string", `CPU limit of the ${service} container (Docker --cpus).`);
    }
    return entries as Record<`${ServiceName}${"Image" | "MemoryMb" | "Cpus"}`, Setting<z.ZodType>>;
}

export const SETTINGS = {
    ref: setting(refShape, "string", "Project ref: the tenant's DNS-safe id, used in every Docker name and label. Defaults to the stack name."),
    release: setting(
        z.enum(RELEASE_NAMES, { error: `must be one of ${RELEASE_NAMES.join(", ")}` }).default(UNSET_RELEASE),
        "string",
        `Named release: the image and wiring of every service (${RELEASE_NAMES.join(", ")}; docs/releases.md). Unset means ${UNSET_RELEASE}, the set of every stack made before releases existed; fleet create and sync record ${DEFAULT_RELEASE} for new tenants.`,
    ),
    gateway: setting(
        z.enum(GATEWAY_NAMES, { error: `must be one of ${GATEWAY_NAMES.join(", ")}` }).default(UNSET_GATEWAY),
        "string",
        `The API gateway of the tenant, rendered from one route table: kong (every release) or envoy (0.8.2 on, upstream's default there). Unset means ${UNSET_GATEWAY}, what every stack made before the choice existed runs; fleet create and sync record the release's gateway for new tenants (envoy on 0.8.2; docs/gateway.md). The container keeps the name <ref>-kong either way.`,
    ),
    dbDataPostgresMajor: setting(
        z.union([z.literal(15), z.literal(17)], { error: "must be 15 or 17" }).default(15),
        "integer",
        "Postgres major version of the tenant's data directory; the release runs its db image for that major (0.8.2 has one for 15 too) and refuses a major it has none for. Unset means 15 (every stack made before releases); fleet create and sync record the new tenant's.",
    ),
    dbDataGeneration: setting(
        boundedInt(1, MAX_DB_DATA_GENERATION, "generation of the db data volume"),
        "integer",
        "Generation of the db data volume: 1 is <ref>-db-data, n > 1 is <ref>-db-data-g<n>. fleet upgrade-db moves the tenant to a new one; not to be set by hand.",
    ),
    dbDataKeptGeneration: setting(
        checkedText(keptGenerationProblem).optional(),
        "string",
        "The db data volume kept after fleet upgrade-db or its rollback, as <generation>:<Postgres major> (e.g. 1:15): declared by the stack, so no update loses it, until fleet upgrade-db <ref> --confirm removes it.",
    ),
    apiUrl: setting(httpUrl.optional(), "string", "Public URL of the tenant's API gateway (Kong). Default: http://localhost:<kongHttpPort>."),
    siteUrl: setting(httpUrl.default("http://localhost:3000"), "string", "URL of the application, where auth redirects go."),
    additionalRedirectUrls: setting(
        z.array(checkedText(redirectEntryProblem), { error: "must be a list of http(s) URLs or glob patterns" }).default([]),
        "array",
        "Extra URLs auth may redirect to (GOTRUE_URI_ALLOW_LIST).",
    ),
    bindAddress: setting(
        z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address, for example 127.0.0.1 or 0.0.0.0" }).default("127.0.0.1"),
        "string",
        "Host address the published ports bind to.",
    ),
    edgeHostname: setting(
        checkedText(domainNameProblem).optional(),
        "string",
        "Hostname the Docker host's edge proxy routes to this tenant's gateway over HTTPS (fleet sync sets <ref>.<baseDomain> of the host's edge). Set: the gateway joins the host's edge network, apiUrl defaults to https://<edgeHostname>, and the stack refuses to come up while the host's edge proxy is missing.",
    ),
    customDomains: setting(
        z.array(checkedText(domainNameProblem), { error: "must be a list of DNS names" }).default([]),
        "array",
        "More hostnames the edge proxy routes to this tenant (each needs DNS pointing at the host). Needs edgeHostname.",
    ),
    publishGatewayPorts: setting(
        flag(true),
        "boolean",
        "Publish the gateway's HTTP and HTTPS ports (kongHttpPort, kongHttpsPort) on the host. Off: the gateway is reached only through the edge proxy (needs edgeHostname).",
    ),
    kongHttpPort: setting(port(8000), "integer", "Host port of the API gateway (HTTP)."),
    kongHttpsPort: setting(port(8443), "integer", "Host port of the API gateway (HTTPS)."),
    postgresPort: setting(port(5432), "integer", "Host port for Postgres through the pooler, session mode."),
    poolerTransactionPort: setting(port(6543), "integer", "Host port for Postgres through the pooler, transaction mode."),
    dockerHost: setting(dockerHost, "string", "Docker daemon that runs the tenant: unix:// socket, ssh://user@host or tcp://host:port (tcp needs dockerTlsCertPath)."),
    dockerTlsCertPath: setting(
        z
            .string({ error: "must be a string" })
            // Plain segments (a leading dot allowed, as in ~/.docker): the path reaches the provider and the docker CLI's environment.
            .regex(/^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._][A-Za-z0-9._-]*)+$/, { error: "must be an absolute path of plain segments (letters, digits, '.', '_', '-'; no '..'), for example /etc/supabase-fleet/tls/edge-1" })
            .max(200, { error: "must be at most 200 characters" })
            .optional(),
        "string",
        "For a tcp:// dockerHost (required there): folder on the machine that runs Pulumi and the fleet with the daemon's CA (ca.pem) and this client's certificate and key (cert.pem, key.pem). The daemon is reached only over TLS that verifies both sides.",
    ),
    fleetHost: setting(
        fleetHostName,
        "string",
        "The fleet.yaml host the tenant runs on, recorded by fleet sync and fleet create (a placed tenant stays there). Read by the fleet only; the program ignores it.",
    ),
    movedFromHost: setting(
        fleetHostName,
        "string",
        "Written by fleet move: the fleet.yaml host that still keeps the tenant's volumes from before its move, until fleet move <ref> --confirm removes them. Read by the fleet only; the program ignores it.",
    ),
    logSocketDir: setting(
        z
            .string({ error: "must be a string" })
            // Plain segments only: the folder is bind-mounted into the tenant's vector.
            .regex(/^(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$/, { error: "must be an absolute path on the Docker host of plain segments (letters, digits, '.', '_', '-'; no '..', no trailing '/'), for example /run/supabase-fleet" })
            .max(200, { error: "must be at most 200 characters" })
            .default("/run/supabase-fleet"),
        "string",
        "Folder on the Docker host for the tenants' log sockets: <dir>/<ref>/ holds the socket the Docker daemon sends this tenant's container logs to (rootless Docker: a folder its daemon may write, such as /run/user/<uid>/supabase-fleet).",
    ),
    dockerSocketPath: setting(
        z.string({ error: "must be a string" }).regex(/^\/[^\s:]*$/, { error: "must be an absolute path on the Docker host, for example /var/run/docker.sock" }).default("/var/run/docker.sock"),
        "string",
        "Not used any more: no tenant container mounts the Docker socket (logs reach vector through logSocketDir). Accepted so that stack files that set it stay valid.",
    ),
    deleteDataOnDestroy: setting(
        flag(false),
        "boolean",
        "Delete the tenant's data volumes on destroy. Off by default: volumes outlive the stack.",
    ),
    paused: setting(flag(false), "boolean", "Tenant is paused: containers are not started or restarted by an update."),

    jwtSecret: setting(secretText(32, "it signs every API key and session token"), "string", "JWT secret shared by every service. Generated when unset.", true),
    jwtExpirySeconds: setting(boundedInt(3600, MAX_JWT_EXPIRY_SECONDS, "seconds a user session token lives"), "integer", "Lifetime of user session tokens, in seconds."),
    apiKeyExpiresAt: setting(
        z
            .int({ error: "must be a Unix time in seconds" })
            .max(MAX_API_KEY_EXPIRES_AT, {
                error: `must be a Unix time in seconds, at most ${MAX_API_KEY_EXPIRES_AT} (50 years after the keys' issue time ${API_KEY_ISSUED_AT}); a millisecond value is refused`,
            })
            .default(DEFAULT_API_KEY_EXPIRES_AT),
        "integer",
        "Expiry (Unix seconds) of the anon and service-role keys. Default 2036-01-01.",
    ),
    signingKeyGeneration: setting(
        boundedInt(1, MAX_SIGNING_KEY_GENERATION, "generation of the ES256 signing key"),
        "integer",
        "Release 0.8.2 on: generation of the ES256 signing key. One more rotates it (fleet rotate <ref> signing-key): auth signs with the new key.",
    ),
    keepPreviousSigningKey: setting(
        flag(true),
        "boolean",
        "Release 0.8.2 on: after a rotation, the previous signing key's public key stays in the key sets, so sessions signed before it still verify. Turn off once they have expired.",
    ),
    opaqueKeyGeneration: setting(
        boundedInt(1, MAX_SIGNING_KEY_GENERATION, "generation of the publishable and secret keys"),
        "integer",
        "Release 0.8.2 on: generation of the sb_publishable_/sb_secret_ pair. One more rotates both (fleet rotate <ref> api-keys).",
    ),
    keepPreviousOpaqueKeys: setting(
        flag(true),
        "boolean",
        "Release 0.8.2 on: after a rotation, the gateway still accepts the previous publishable and secret keys, so clients can move over. Turn off once they have.",
    ),
    anonKey: setting(secretText(1, "a JWT"), "string", "Anon key override: an HS256 JWT signed with jwtSecret, role anon. Signed from jwtSecret when unset.", true),
    serviceRoleKey: setting(
        secretText(1, "a JWT"),
        "string",
        "Service-role key override: an HS256 JWT signed with jwtSecret, role service_role. Signed from jwtSecret when unset.",
        true,
    ),
    postgresPassword: setting(
        secretText(16, "every service role logs in with it")
            .refine((v) => v === undefined || v === OPAQUE_SECRET || /^[A-Za-z0-9_.~-]+$/.test(v), {
                error: "may only hold letters, digits and _ . ~ - (it is placed in connection URLs)",
            }),
        "string",
        "Postgres password of every service role. Generated when unset.",
        true,
    ),
    dashboardUsername: setting(
        z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: "must be 1-64 letters, digits, _ . -" }).default("supabase"),
        "string",
        "User name for Studio (Kong basic auth).",
    ),
    dashboardPassword: setting(secretText(12, "it guards Studio"), "string", "Password for Studio (Kong basic auth). Generated when unset.", true),

    authDisableSignup: setting(flag(false), "boolean", "Refuse new sign-ups."),
    authEmailEnabled: setting(flag(true), "boolean", "Allow email sign-in."),
    authEmailAutoconfirm: setting(flag(false), "boolean", "Confirm email sign-ups without a mail."),
    authPhoneEnabled: setting(flag(false), "boolean", "Allow phone sign-in."),
    authPhoneAutoconfirm: setting(flag(false), "boolean", "Confirm phone sign-ups without an SMS."),
    authAnonymousUsersEnabled: setting(flag(false), "boolean", "Allow anonymous sign-ins."),
    smtpHost: setting(checkedText(hostNameProblem).optional(), "string", "SMTP server for auth mails."),
    smtpPort: setting(port(587), "integer", "SMTP server port."),
    smtpUser: setting(optionalText("SMTP user name"), "string", "SMTP user name."),
    smtpPassword: setting(secretText(1, "SMTP password"), "string", "SMTP password.", true),
    smtpAdminEmail: setting(
        z.email({ error: "must be an email address" }).default("admin@example.com"),
        "string",
        "Sender address of auth mails.",
    ),
    smtpSenderName: setting(z.string().min(1, { error: "must not be empty" }).default("Supabase"), "string", "Sender name of auth mails."),
    authOAuthProviders: setting(
        z
            .array(
                z.string().regex(new RegExp(`^(?:${OAUTH_PROVIDERS.join("|")}):[A-Za-z0-9._~@/+=-]{1,256}$`), {
                    error: `each entry must be "<provider>:<client id>" with a provider from ${OAUTH_PROVIDERS.join(", ")} and a client id of letters, digits and . _ ~ @ / + = -`,
                }),
            )
            .default([]),
        "array",
        `OAuth providers as "<provider>:<client id>". Providers: ${OAUTH_PROVIDERS.join(", ")}.`,
    ),
    authOAuthClientSecrets: setting(
        z
            .union([z.literal(OPAQUE_SECRET), z.array(z.string().regex(new RegExp(`^(?:${OAUTH_PROVIDERS.join("|")}):\\S+$`), { error: `each entry must be "<provider>:<client secret>" with a provider from ${OAUTH_PROVIDERS.join(", ")}` }))], {
                error: 'must be a list of "<provider>:<client secret>" entries',
            })
            .optional(),
        "array",
        'OAuth client secrets as "<provider>:<client secret>", one per provider in authOAuthProviders.',
        true,
    ),

    storageBackend: setting(
        z.enum(["file", "s3"], { error: 'must be "file" or "s3"' }).default("file"),
        "string",
        'Where storage keeps objects: "file" (the storage volume) or "s3".',
    ),
    storageFileSizeLimitBytes: setting(boundedInt(52428800, MAX_FILE_SIZE_LIMIT_BYTES, "bytes"), "integer", "Largest upload, in bytes."),
    s3Endpoint: setting(httpUrl.optional(), "string", "S3 endpoint URL (storageBackend s3)."),
    s3Bucket: setting(
        z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)" }).optional(),
        "string",
        "S3 bucket (storageBackend s3).",
    ),
    s3Region: setting(z.string().regex(/^[a-z0-9-]+$/, { error: "must be a region name such as us-east-1" }).optional(), "string", "S3 region (storageBackend s3)."),
    s3ForcePathStyle: setting(flag(true), "boolean", "Use path-style S3 URLs (needed by most S3-compatible servers)."),
    s3AccessKeyId: setting(secretText(1, "S3 access key id"), "string", "S3 access key id (storageBackend s3).", true),
    s3SecretAccessKey: setting(secretText(1, "S3 secret access key"), "string", "S3 secret access key (storageBackend s3).", true),

    poolerDefaultPoolSize: setting(boundedInt(20, MAX_POOL_SIZE, "server connections per user and database"), "integer", "Pooler: server connections per user and database."),
    poolerMaxClientConnections: setting(boundedInt(100, MAX_CLIENT_CONNECTIONS, "client connections"), "integer", "Pooler: most client connections."),
    poolerMode: setting(z.enum(["transaction", "session"], { error: 'must be "transaction" or "session"' }).default("transaction"), "string", "Pooler: default pool mode."),
    poolerDbPoolSize: setting(boundedInt(5, MAX_POOL_SIZE, "connections of the pooler's own metadata pool"), "integer", "Pooler: connections of its own metadata pool."),

    analyticsEnabled: setting(flag(true), "boolean", "Run analytics (Logflare) and vector. Off removes both and every reference to them."),
    studioOrganizationName: setting(z.string().min(1).default("Default Organization"), "string", "Organisation name shown in Studio."),
    studioProjectName: setting(z.string().min(1).default("Default Project"), "string", "Project name shown in Studio."),
    openaiApiKey: setting(secretText(1, "OpenAI API key"), "string", "OpenAI key for Studio's SQL assistant (optional).", true),
    functionsVerifyJwt: setting(flag(false), "boolean", "Edge functions require a valid JWT."),
    functionsAdminAccess: setting(
        flag(false),
        "boolean",
        "User edge functions get the tenant's admin credentials (SUPABASE_SERVICE_ROLE_KEY, SUPABASE_SECRET_KEYS, SUPABASE_DB_URL). Off: they get only the public URL and keys, so a function bug cannot act with every right on the data.",
    ),

    ...perServiceSettings(),
};

export type SettingKey = keyof typeof SETTINGS;
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
export const SECRET_SETTING_KEYS = SETTING_KEYS.filter((key) => SETTINGS[key].meta.secret);

const shape = Object.fromEntries(SETTING_KEYS.map((key) => [key, SETTINGS[key].schema])) as {
    [K in SettingKey]: (typeof SETTINGS)[K]["schema"];
};

/**
 * Every string setting and list element, secret or not: no control characters (no setting is free
 * text that nothing parses line by line), and no value, nor list joined into one env value, too large
 * for a container's environment. One check for all settings, so a new setting cannot miss it; run even
 * when a setting's own shape failed, so every problem shows at once. Messages never show the value.
 */
function checkTextHygiene(config: Record<string, unknown>, ctx: z.RefinementCtx): void {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const tooLarge = `must be at most ${MAX_SETTING_BYTES} bytes (it is passed in a container's environment)`;
    for (const key of SETTING_KEYS) {
        const value = config[key];
        // Only a secret can be opaque (an encrypted non-secret is refused before parsing).
        if (value === OPAQUE_SECRET && SETTINGS[key].meta.secret) continue;
        const texts = Array.isArray(value) ? value : [value];
        texts.forEach((text, index) => {
            if (typeof text !== "string") return;
            const path = Array.isArray(value) ? [key, index] : [key];
            if (CONTROL_CHARACTERS.test(text)) problem(path, "must not contain control characters (newlines, tabs, escapes)");
            if (Buffer.byteLength(text) > MAX_SETTING_BYTES) problem(path, tooLarge);
        });
        // List settings are joined into one env value (GOTRUE_URI_ALLOW_LIST and the like): bound the whole.
        const joined = Array.isArray(value) ? value.filter((text) => typeof text === "string").join(",") : "";
        if (Array.isArray(value) && Buffer.byteLength(joined) > MAX_SETTING_BYTES) {
            problem([key], `must be at most ${MAX_SETTING_BYTES} bytes in all (its entries are joined into one environment value)`);
        }
    }
}

export const tenantConfigSchema = z
    .strictObject(shape, {
        error: (issue) => (issue.code === "unrecognized_keys" ? "unknown setting" : undefined),
    })
    .superRefine(checkTextHygiene, { when: () => true })
    // `when`: run the cross-setting rules even if single settings failed, so every problem shows at once.
    .superRefine(checkTenantConsistency, { when: () => true });

type Parsed = z.output<typeof tenantConfigSchema>;

/** A validated tenant config, typed per key. Secret keys hold plaintext here and nowhere after `splitSecrets`. */
export type TenantConfig = {
    ref: string;
    release: ReleaseName;
    gateway: GatewayName;
    dbDataPostgresMajor: 15 | 17;
    dbDataGeneration: number;
    dbDataKeptGeneration?: string;
    apiUrl?: string;
    siteUrl: string;
    additionalRedirectUrls: string[];
    bindAddress: string;
    edgeHostname?: string;
    customDomains: string[];
    publishGatewayPorts: boolean;
    kongHttpPort: number;
    kongHttpsPort: number;
    postgresPort: number;
    poolerTransactionPort: number;
    dockerHost: string;
    dockerTlsCertPath?: string;
    fleetHost?: string;
    movedFromHost?: string;
    logSocketDir: string;
    dockerSocketPath: string;
    deleteDataOnDestroy: boolean;
    paused: boolean;
    jwtSecret?: string;
    jwtExpirySeconds: number;
    apiKeyExpiresAt: number;
    signingKeyGeneration: number;
    keepPreviousSigningKey: boolean;
    opaqueKeyGeneration: number;
    keepPreviousOpaqueKeys: boolean;
    anonKey?: string;
    serviceRoleKey?: string;
    postgresPassword?: string;
    dashboardUsername: string;
    dashboardPassword?: string;
    authDisableSignup: boolean;
    authEmailEnabled: boolean;
    authEmailAutoconfirm: boolean;
    authPhoneEnabled: boolean;
    authPhoneAutoconfirm: boolean;
    authAnonymousUsersEnabled: boolean;
    smtpHost?: string;
    smtpPort: number;
    smtpUser?: string;
    smtpPassword?: string;
    smtpAdminEmail: string;
    smtpSenderName: string;
    authOAuthProviders: string[];
    authOAuthClientSecrets?: string[] | typeof OPAQUE_SECRET;
    storageBackend: "file" | "s3";
    storageFileSizeLimitBytes: number;
    s3Endpoint?: string;
    s3Bucket?: string;
    s3Region?: string;
    s3ForcePathStyle: boolean;
    s3AccessKeyId?: string;
    s3SecretAccessKey?: string;
    poolerDefaultPoolSize: number;
    poolerMaxClientConnections: number;
    poolerMode: "transaction" | "session";
    poolerDbPoolSize: number;
    analyticsEnabled: boolean;
    studioOrganizationName: string;
    studioProjectName: string;
    openaiApiKey?: string;
    functionsVerifyJwt: boolean;
    functionsAdminAccess: boolean;
} & { [K in `${ServiceName}Image`]?: string } & { [K in `${ServiceName}Cpus`]: string } & { [K in `${ServiceName}MemoryMb`]: number };

// Compile-time check that the hand-written type and the schema agree on the key set.
type KeysAgree = [Exclude<keyof Parsed, keyof TenantConfig>, Exclude<keyof TenantConfig, keyof Parsed>] extends [never, never] ? true : never;
export const SCHEMA_AND_TYPE_AGREE: KeysAgree = true;
