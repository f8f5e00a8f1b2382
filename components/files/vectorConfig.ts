/**
 * Vector's config: ships this tenant's container logs to this tenant's analytics. Upstream's vector
 * mounts the Docker socket and reads every container on the host, and the socket gives whoever holds
 * it every tenant's environment. Here no tenant container reaches the Docker API: the daemon itself
 * sends each of this tenant's containers' lines (their fluentd log driver) to a unix socket that only
 * this tenant's vector listens on, in a host folder of this tenant (`<logSocketDir>/<ref>/`). Lines of
 * another tenant can never arrive, and routing still compares exact container names of this tenant.
 */
import { posix } from "node:path";
import { INTERNAL_PORTS, SERVICE_CATALOG, type ServiceName } from "../catalog.js";
import { toDeterministicYaml } from "./yaml.js";

export const VECTOR_CONFIG_PATH = "/etc/vector/vector.yml";

/** Where vector sees the tenant's log folder, and the socket in it (fluentd's forward protocol). */
export const LOG_SOCKET_MOUNT = "/var/run/supabase-fleet-logs";
const LOG_SOCKET_FILE = "fluent.sock";
export const LOG_SOCKET_PATH_IN_VECTOR = posix.join(LOG_SOCKET_MOUNT, LOG_SOCKET_FILE);

/** The tenant's log folder on the Docker host (vector mounts it), and the socket in it (the daemon writes to it). */
export function tenantLogSocket(logSocketDir: string, ref: string): { readonly dir: string; readonly socket: string } {
    const dir = posix.join(logSocketDir, ref);
    return { dir, socket: posix.join(dir, LOG_SOCKET_FILE) };
}

/** Vector expands `${NAME?message}` from its environment when it loads the config (and stops with the message when unset). */
export const VECTOR_API_KEY_REFERENCE = "${LOGFLARE_PUBLIC_ACCESS_TOKEN?LOGFLARE_PUBLIC_ACCESS_TOKEN is required}";

/** Services whose logs go to analytics, with the Logflare source each one feeds (names as upstream). */
export const LOG_SOURCES = {
    auth: "gotrue.logs.prod",
    db: "postgres.logs",
    functions: "deno-relay-logs",
    kong: "cloudflare.logs.prod",
    realtime: "realtime.logs.prod",
    rest: "postgREST.logs.prod",
    storage: "storage.logs.prod.2",
} as const satisfies Partial<Record<ServiceName, string>>;
export type LoggedService = keyof typeof LOG_SOURCES;

const SAFE_NAME = /^[a-z0-9][a-z0-9-]*$/;

function vrlString(value: string): string {
    // Names are DNS-label characters (checked by the caller), so this quoting is exact.
    return `"${value}"`;
}

// VRL programs that turn each service's log line into Logflare's shape. They hold no `$`, so Vector's
// environment interpolation of the config text leaves them alone. PostgREST's lines keep the time
// Docker recorded rather than re-parsing PostgREST's own date format.
// The fluentd driver's record is {container_id, container_name ("/<name>"), source, log}; the
// container name is the daemon's, so no container can claim another's.
const COMMON_SHAPE = [
    '.project = "default"',
    ".event_message = del(.log)",
    '.appname = replace(string!(del(.container_name)), r\'^/\', "")',
    "del(.container_id)",
    "del(.source)",
    "del(.source_type)",
    "del(.tag)",
    "del(.host)",
].join("\n");

/** Splits nginx's request line ("GET /rest/v1/x HTTP/1.1") held in `field` into method, path and protocol. */
const splitRequestLine = (field: string): string[] => [
    `parts, err = split(${field}, " ")`,
    "if err == null {",
    "  .metadata.request.method = parts[0]",
    "  .metadata.request.path = parts[1]",
    "  .metadata.request.protocol = parts[2]",
    "}",
];

// parse_nginx_log's combined format gives the request line as one field (`request`), not method, path and protocol.
const KONG_ACCESS_LOG = [
    'request, err = parse_nginx_log(.event_message, "combined")',
    "if err != null { abort }",
    ".timestamp = request.timestamp",
    ".metadata.request.headers.referer = request.referer",
    ".metadata.request.headers.user_agent = request.agent",
    ".metadata.request.headers.cf_connecting_ip = request.client",
    ".metadata.response.status_code = request.status",
    ...splitRequestLine("request.request"),
].join("\n");

const KONG_ERROR_LOG = [
    'entry, err = parse_nginx_log(.event_message, "error")',
    "if err != null { abort }",
    ".timestamp = entry.timestamp",
    ".severity = entry.severity",
    ".metadata.request.host = entry.host",
    ".metadata.request.headers.cf_connecting_ip = entry.client",
    '.metadata.request.method = "GET"',
    ".metadata.response.status_code = 200",
    ...splitRequestLine("entry.request"),
].join("\n");

const AUTH_LOG = [
    "parsed, err = parse_json(.event_message)",
    "if err == null && is_object(parsed) {",
    "  .metadata.timestamp = parsed.time",
    "  .metadata = merge!(.metadata, parsed)",
    "}",
].join("\n");

const REST_LOG = [
    "parsed, err = parse_regex(.event_message, r'^(?P<time>.*): (?P<msg>.*)')",
    "if err == null {",
    "  .event_message = parsed.msg",
    "  .metadata.host = .project",
    "}",
].join("\n");

/** Realtime's own health-check requests (every 30 s per tenant, see services/realtime.ts): noise in its logs. */
export const REALTIME_HEALTH_LINE = String.raw`/api/tenants/[^/ ]+/health\b`;

const REALTIME_LOG = [
    // `abort` drops the event: a remap's drop_on_abort is on unless turned off.
    `if match(string(.event_message) ?? "", r'${REALTIME_HEALTH_LINE}') { abort }`,
    ".metadata.project = del(.project)",
    ".metadata.external_id = .metadata.project",
    "parsed, err = parse_regex(.event_message, r'^(?P<time>\\d+:\\d+:\\d+\\.\\d+) \\[(?P<level>\\w+)\\] (?P<msg>.*)')",
    "if err == null {",
    "  .event_message = parsed.msg",
    "  .metadata.level = parsed.level",
    "}",
].join("\n");

const STORAGE_LOG = [
    ".metadata.project = del(.project)",
    ".metadata.tenantId = .metadata.project",
    "parsed, err = parse_json(.event_message)",
    "if err == null && is_object(parsed) {",
    "  .event_message = parsed.msg",
    "  .metadata.level = parsed.level",
    "  .metadata.timestamp = parsed.time",
    "  .metadata.context[0].host = parsed.hostname",
    "  .metadata.context[0].pid = parsed.pid",
    "}",
].join("\n");

const DB_LOG = [
    '.metadata.host = "db-default"',
    ".metadata.parsed.timestamp = .timestamp",
    "parsed, err = parse_regex(.event_message, r'.*(?P<level>INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC?):.*', numeric_groups: true)",
    // Lines without a level are Postgres' own stderr output: shown as LOG, like upstream.
    'severity = "LOG"',
    "if err == null { severity = parsed.level }",
    ".metadata.parsed.error_severity = severity",
].join("\n");

const FUNCTIONS_LOG = ".metadata.project_ref = del(.project)";

/** Per service: the transforms between the router and the sink. */
const SERVICE_SHAPES: Readonly<Record<LoggedService, readonly { readonly name: string; readonly source: string }[]>> = {
    auth: [{ name: "auth_logs", source: AUTH_LOG }],
    db: [{ name: "db_logs", source: DB_LOG }],
    functions: [{ name: "functions_logs", source: FUNCTIONS_LOG }],
    kong: [
        { name: "kong_access_logs", source: KONG_ACCESS_LOG },
        { name: "kong_error_logs", source: KONG_ERROR_LOG },
    ],
    realtime: [{ name: "realtime_logs", source: REALTIME_LOG }],
    rest: [{ name: "rest_logs", source: REST_LOG }],
    storage: [{ name: "storage_logs", source: STORAGE_LOG }],
};

export interface VectorConfigInput {
    readonly ref: string;
    readonly containerNames: Readonly<Record<ServiceName, string>>;
}

export function vectorConfig(input: VectorConfigInput): Record<string, unknown> {
    const { ref, containerNames } = input;
    for (const name of [ref, ...Object.values(containerNames)]) {
        if (!SAFE_NAME.test(name)) throw new Error(`vector config: "${name}" is not a DNS-label name (lowercase letters, digits, hyphens)`);
    }
    const loggedServices = Object.keys(LOG_SOURCES).sort() as LoggedService[];
    const analyticsUrl = `http://${SERVICE_CATALOG.analytics.alias}:${INTERNAL_PORTS.analytics}/api/logs`;

    const transforms: Record<string, unknown> = {
        tenant_logs: { type: "remap", inputs: ["tenant_containers"], source: COMMON_SHAPE },
        by_service: {
            type: "route",
            inputs: ["tenant_logs"],
            // Exact equality: a container of another tenant never matches, whatever its name starts with.
            route: Object.fromEntries(loggedServices.map((service) => [service, `.appname == ${vrlString(containerNames[service])}`])),
        },
    };
    const sinks: Record<string, unknown> = {};
    for (const service of loggedServices) {
        const shapes = SERVICE_SHAPES[service];
        for (const shape of shapes) transforms[shape.name] = { type: "remap", inputs: [`by_service.${service}`], source: shape.source };
        sinks[`analytics_${service}`] = {
            type: "http",
            inputs: shapes.map((shape) => shape.name),
            encoding: { codec: "json" },
            method: "post",
            request: { retry_max_duration_secs: 10, headers: { "x-api-key": VECTOR_API_KEY_REFERENCE } },
            uri: `${analyticsUrl}?source_name=${LOG_SOURCES[service]}`,
        };
    }

    return {
        api: { enabled: true, address: `0.0.0.0:${INTERNAL_PORTS.vectorApi}` },
        sources: {
            tenant_containers: {
                type: "fluent",
                mode: "unix",
                path: LOG_SOCKET_PATH_IN_VECTOR,
                // Only the daemon (root) writes to it.
                socket_file_mode: 0o600,
            },
        },
        transforms,
        sinks,
    };
}

export function renderVectorConfig(input: VectorConfigInput): string {
    return toDeterministicYaml(vectorConfig(input));
}
