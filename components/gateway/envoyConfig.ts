/**
 * Envoy's config, rendered from the route table (routes.ts) in the shape of upstream's 0.8.x files:
 * a bootstrap that reads clusters and listeners from files, the clusters (one per upstream service),
 * and a listener template. The template holds the keys and the dashboard login only as `$NAME`
 * placeholders; the envoy container's start script fills them in from its environment into a tmpfs,
 * so neither the uploads nor Pulumi state ever hold a secret (as with Kong).
 */
import { INTERNAL_PORTS, SERVICE_CATALOG, type ServiceName } from "../catalog.js";
import { toDeterministicYaml } from "../files/yaml.js";
import { isAtLeast, type Release } from "../releases.js";
import { envoyKeyCheckLua, LUA_POLICY_KEY, type LuaKey } from "./envoyLua.js";
import { gatewayRoutes, rolesOf, type GatewayRoute } from "./routes.js";

/** Where each file is uploaded, and where the start script writes the filled-in listener (on a tmpfs). */
export const ENVOY_CONFIG = {
    bootstrapPath: "/etc/envoy/envoy.yaml",
    clustersPath: "/etc/envoy/cds.yaml",
    listenerTemplatePath: "/etc/envoy/lds.template.yaml",
    listenerPath: "/run/envoy/lds.yaml",
} as const;
/** The tmpfs of the envoy container: only its start script writes there (umask 077). */
export const ENVOY_RENDERED_CONFIG_TMPFS = { path: "/run/envoy", options: "rw,nosuid,nodev,noexec,size=1m,mode=1777" } as const;

/** Environment variables the listener template's placeholders name (upstream's names for the envoy service). */
export const ENVOY_LEGACY_KEY_PLACEHOLDERS = ["ANON_KEY", "SERVICE_ROLE_KEY"] as const;
export const ENVOY_OPAQUE_KEY_PLACEHOLDERS = ["SUPABASE_PUBLISHABLE_KEY", "SUPABASE_SECRET_KEY", "ANON_KEY_ASYMMETRIC", "SERVICE_ROLE_KEY_ASYMMETRIC"] as const;
export const ENVOY_PREVIOUS_KEY_PLACEHOLDERS = ["SUPABASE_PREVIOUS_PUBLISHABLE_KEY", "SUPABASE_PREVIOUS_SECRET_KEY"] as const;
/** The dashboard login as Envoy's basic_auth filter reads it: `<user>:{SHA}<base64 of the password's SHA-1>` (htpasswd). */
export const ENVOY_BASIC_AUTH_PLACEHOLDER = "DASHBOARD_BASIC_AUTH";

export interface EnvoyConfigInput {
    readonly release: Release;
    readonly analyticsEnabled: boolean;
    /** After a rotation of the opaque keys, while kept: the previous pair is still accepted. */
    readonly previousOpaqueKeys?: boolean;
}

export function envoyTemplatePlaceholders(release: Release, previousOpaqueKeys = false): readonly string[] {
    const opaque = isAtLeast(release, "0.8.2") ? [...ENVOY_OPAQUE_KEY_PLACEHOLDERS, ...(previousOpaqueKeys ? ENVOY_PREVIOUS_KEY_PLACEHOLDERS : [])] : [];
    return [...ENVOY_LEGACY_KEY_PLACEHOLDERS, ...opaque, ENVOY_BASIC_AUTH_PLACEHOLDER];
}

function luaKeys(release: Release, previousOpaqueKeys: boolean): LuaKey[] {
    const keys: LuaKey[] = [
        { placeholder: "ANON_KEY", role: "anon" },
        { placeholder: "SERVICE_ROLE_KEY", role: "service_role" },
    ];
    if (!isAtLeast(release, "0.8.2")) return keys;
    // The internal ES256 JWTs are never keys a client may present (upstream's fix of 2026-05-26).
    keys.push({ placeholder: "SUPABASE_PUBLISHABLE_KEY", role: "anon", jwtPlaceholder: "ANON_KEY_ASYMMETRIC" });
    keys.push({ placeholder: "SUPABASE_SECRET_KEY", role: "service_role", jwtPlaceholder: "SERVICE_ROLE_KEY_ASYMMETRIC" });
    if (previousOpaqueKeys) {
        keys.push({ placeholder: "SUPABASE_PREVIOUS_PUBLISHABLE_KEY", role: "anon", jwtPlaceholder: "ANON_KEY_ASYMMETRIC" });
        keys.push({ placeholder: "SUPABASE_PREVIOUS_SECRET_KEY", role: "service_role", jwtPlaceholder: "SERVICE_ROLE_KEY_ASYMMETRIC" });
    }
    return keys;
}

const any = (type: string, body: Record<string, unknown> = {}) => ({ "@type": `type.googleapis.com/${type}`, ...body });
const seconds = (value: number) => `${value}s`;

/** How long Envoy waits for an upstream's answer where the table sets none: Kong's default, so both gateways wait alike. */
export const ENVOY_DEFAULT_ROUTE_TIMEOUT_SECONDS = 60;

/** The health probe of each upstream, as upstream's cds.yaml (functions: a TCP connect). */
const HEALTH_PATHS: Partial<Record<ServiceName, string>> = {
    auth: "/health",
    rest: "/",
    realtime: "/",
    storage: "/status",
    meta: "/health",
    studio: "/project/default",
    analytics: "/health",
};

function cluster(service: ServiceName, port: number) {
    const path = HEALTH_PATHS[service];
    return any("envoy.config.cluster.v3.Cluster", {
        name: service,
        type: "STRICT_DNS",
        connect_timeout: "5s",
        dns_refresh_rate: "5s",
        // Tenant networks are IPv4: an AAAA lookup would only delay the first request.
        dns_lookup_family: "V4_ONLY",
        lb_policy: "ROUND_ROBIN",
        circuit_breakers: { thresholds: [{ max_connections: 10000, max_pending_requests: 10000, max_requests: 10000 }] },
        load_assignment: {
            cluster_name: service,
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: SERVICE_CATALOG[service].alias, port_value: port } } } }] }],
        },
        health_checks: [
            {
                timeout: "2s",
                interval: "5s",
                unhealthy_threshold: 3,
                healthy_threshold: 2,
                ...(path === undefined ? { tcp_health_check: {} } : { http_health_check: { path } }),
            },
        ],
    });
}

/** The upstreams the table's routes reach (a denied route reaches none), in table order. */
function upstreamsOf(routes: readonly GatewayRoute[]): Map<ServiceName, number> {
    const upstreams = new Map<ServiceName, number>();
    for (const route of routes) if (route.access !== "denied") upstreams.set(route.upstream.service, route.upstream.port);
    return upstreams;
}

const CORS_POLICY = any("envoy.extensions.filters.http.cors.v3.CorsPolicy", {
    allow_origin_string_match: [{ safe_regex: { regex: ".*" } }],
    allow_methods: "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT",
    allow_headers: "*",
    max_age: "3600",
});
const DISABLED = any("envoy.config.route.v3.FilterConfig", { disabled: true });

interface Matcher {
    readonly kind: "path" | "prefix";
    readonly value: string;
}
/** One Envoy route per path of a table route: exact paths first, then prefixes longest first, as Kong picks them. */
function orderedMatchers(routes: readonly GatewayRoute[]): { route: GatewayRoute; matcher: Matcher }[] {
    const flat = routes.flatMap((route) =>
        route.match.exact !== undefined ? [{ route, matcher: { kind: "path", value: route.match.exact } as Matcher }] : route.match.prefixes!.map((value) => ({ route, matcher: { kind: "prefix", value } as Matcher })),
    );
    const rank = ({ matcher }: { matcher: Matcher }) => (matcher.kind === "path" ? Number.MAX_SAFE_INTEGER : matcher.value.length);
    return flat.sort((a, b) => rank(b) - rank(a));
}

/** The replacement of the matched part: Kong's `strip_path` onto the service URL's path. */
function rewriteOf(route: GatewayRoute, matcher: Matcher): string {
    const { path } = route.upstream;
    return matcher.kind === "prefix" && matcher.value.endsWith("/") && !path.endsWith("/") ? `${path}/` : path;
}

function envoyRoute(route: GatewayRoute, matcher: Matcher, release: Release) {
    const roles = rolesOf(route.access);
    const perFilter: Record<string, unknown> = {};
    if (route.cors) perFilter["envoy.filters.http.cors"] = CORS_POLICY;
    if (route.access !== "dashboard") perFilter["envoy.filters.http.basic_auth"] = DISABLED;
    const policy = {
        roles: [...roles],
        hide_key: route.hideKey ?? false,
        map_jwt: isAtLeast(release, "0.8.2") && (route.jwtForUpstream ?? false),
        websocket: route.websocket ?? false,
        // No key check: only this tenant's opaque keys are mapped (storage).
        open: route.access === "open",
    };
    const checked = roles.length > 0 || (policy.open && policy.map_jwt);
    const headersToAdd = Object.entries(route.addHeaders ?? {}).map(([key, value]) => ({ header: { key, value }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }));
    return {
        // Kong's service name, so that both gateways name a route alike in their logs and tests.
        name: route.service,
        match: { [matcher.kind]: matcher.value },
        ...(route.access === "denied"
            ? { direct_response: { status: 403, body: { inline_string: '{"message":"Forbidden"}' } } }
            : {
                  route: {
                      cluster: route.upstream.service,
                      prefix_rewrite: rewriteOf(route, matcher),
                      // Kong calls an upstream by its own name; Realtime reads its tenant from it.
                      auto_host_rewrite: true,
                      // A websocket lives as long as its client: only idleness ends it.
                      timeout: route.websocket ? "0s" : seconds(route.timeoutSeconds ?? ENVOY_DEFAULT_ROUTE_TIMEOUT_SECONDS),
                  },
              }),
        ...(checked ? { metadata: { filter_metadata: { "envoy.filters.http.lua": { [LUA_POLICY_KEY]: policy } } } } : {}),
        ...(headersToAdd.length > 0 ? { request_headers_to_add: headersToAdd } : {}),
        // Kong's basic-auth hides the login from Studio.
        ...(route.access === "dashboard" ? { request_headers_to_remove: ["authorization"] } : {}),
        typed_per_filter_config: perFilter,
    };
}

/**
 * nginx's combined format, which vector already parses for Kong; the path without its query string,
 * where Realtime's socket carries its key.
 */
const ACCESS_LOG_FORMAT =
    '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% - - [%START_TIME(%d/%b/%Y:%H:%M:%S %z)%] "%REQ(:METHOD)% %REQ_WITHOUT_QUERY(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %BYTES_SENT% "%REQ(REFERER)%" "%REQ(USER-AGENT)%"\n';

function listener(input: EnvoyConfigInput) {
    const routes = gatewayRoutes(input);
    const manager = any("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", {
        stat_prefix: "supabase_gateway",
        codec_type: "AUTO",
        normalize_path: true,
        merge_slashes: true,
        path_with_escaped_slashes_action: "REJECT_REQUEST",
        common_http_protocol_options: { headers_with_underscores_action: "REJECT_REQUEST" },
        use_remote_address: true,
        upgrade_configs: [{ upgrade_type: "websocket" }],
        access_log: [
            {
                name: "envoy.access_loggers.stdout",
                typed_config: any("envoy.extensions.access_loggers.stream.v3.StdoutAccessLog", {
                    log_format: {
                        text_format_source: { inline_string: ACCESS_LOG_FORMAT },
                        formatters: [{ name: "envoy.formatter.req_without_query", typed_config: any("envoy.extensions.formatter.req_without_query.v3.ReqWithoutQuery") }],
                    },
                }),
            },
        ],
        route_config: {
            name: "supabase_routes",
            virtual_hosts: [{ name: "supabase", domains: ["*"], routes: orderedMatchers(routes).map(({ route, matcher }) => envoyRoute(route, matcher, input.release)) }],
        },
        http_filters: [
            { name: "envoy.filters.http.cors", typed_config: any("envoy.extensions.filters.http.cors.v3.Cors") },
            {
                name: "envoy.filters.http.basic_auth",
                typed_config: any("envoy.extensions.filters.http.basic_auth.v3.BasicAuth", { users: { inline_string: `$${ENVOY_BASIC_AUTH_PLACEHOLDER}` } }),
            },
            {
                name: "envoy.filters.http.lua",
                typed_config: any("envoy.extensions.filters.http.lua.v3.Lua", { default_source_code: { inline_string: envoyKeyCheckLua(luaKeys(input.release, input.previousOpaqueKeys ?? false)) } }),
            },
            { name: "envoy.filters.http.router", typed_config: any("envoy.extensions.filters.http.router.v3.Router") },
        ],
    });
    return any("envoy.config.listener.v3.Listener", {
        name: "supabase_gateway",
        address: { socket_address: { address: "0.0.0.0", port_value: INTERNAL_PORTS.kongHttp } },
        per_connection_buffer_limit_bytes: 32768,
        filter_chains: [{ filters: [{ name: "envoy.filters.network.http_connection_manager", typed_config: manager }] }],
    });
}

const fromFile = (path: string) => ({ resource_api_version: "V3", path_config_source: { path } });

export function envoyBootstrap(): Record<string, unknown> {
    return {
        node: { cluster: "supabase_cluster", id: "supabase_node" },
        dynamic_resources: { cds_config: fromFile(ENVOY_CONFIG.clustersPath), lds_config: fromFile(ENVOY_CONFIG.listenerPath) },
        // Inside the container only: never published.
        admin: { address: { socket_address: { address: "127.0.0.1", port_value: 9901 } } },
        overload_manager: {
            resource_monitors: [
                {
                    name: "envoy.resource_monitors.global_downstream_max_connections",
                    typed_config: any("envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig", { max_active_downstream_connections: 30000 }),
                },
            ],
        },
    };
}

export function envoyClusters(input: EnvoyConfigInput): Record<string, unknown> {
    return { resources: [...upstreamsOf(gatewayRoutes(input))].map(([service, port]) => cluster(service, port)) };
}

export function envoyListeners(input: EnvoyConfigInput): Record<string, unknown> {
    return { resources: [listener(input)] };
}

export interface EnvoyFiles {
    readonly bootstrap: string;
    readonly clusters: string;
    /** Every string single-quoted, so a filled-in value may hold any character but a line break (`'` is doubled). */
    readonly listenerTemplate: string;
}

export function renderEnvoyFiles(input: EnvoyConfigInput): EnvoyFiles {
    return {
        bootstrap: toDeterministicYaml(envoyBootstrap()),
        clusters: toDeterministicYaml(envoyClusters(input)),
        listenerTemplate: toDeterministicYaml(envoyListeners(input), { singleQuoteStrings: true }),
    };
}
