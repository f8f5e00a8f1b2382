/**
 * Kong's declarative config (format 2.1). Keys and the dashboard login appear only as `$NAME`
 * placeholders that the kong container fills from its environment when it starts: the uploaded
 * template, Pulumi state and previews never hold a secret.
 */
import { INTERNAL_PORTS, SERVICE_CATALOG } from "../catalog.js";
import { isAtLeast, type Release } from "../releases.js";
import { toDeterministicYaml } from "./yaml.js";

/** Environment variables of the kong container that fill the template's `$NAME` placeholders. */
export const KONG_TEMPLATE_PLACEHOLDERS = ["SUPABASE_ANON_KEY", "SUPABASE_SERVICE_KEY", "DASHBOARD_USERNAME", "DASHBOARD_PASSWORD"] as const;
/** From 0.8.2 on, also the opaque keys and the ES256 JWTs they stand for (components/asymmetricKeys.ts). */
export const KONG_KEY_PLACEHOLDERS = ["SUPABASE_PUBLISHABLE_KEY", "SUPABASE_SECRET_KEY", "ANON_KEY_ASYMMETRIC", "SERVICE_ROLE_KEY_ASYMMETRIC"] as const;
/** After a rotation of the opaque keys, while the previous pair is kept (keepPreviousOpaqueKeys). */
export const KONG_PREVIOUS_KEY_PLACEHOLDERS = ["SUPABASE_PREVIOUS_PUBLISHABLE_KEY", "SUPABASE_PREVIOUS_SECRET_KEY"] as const;
export type KongTemplatePlaceholder =
    | (typeof KONG_TEMPLATE_PLACEHOLDERS)[number]
    | (typeof KONG_KEY_PLACEHOLDERS)[number]
    | (typeof KONG_PREVIOUS_KEY_PLACEHOLDERS)[number];

export function kongTemplatePlaceholders(release: Release, previousOpaqueKeys = false): readonly KongTemplatePlaceholder[] {
    if (!isAtLeast(release, "0.8.2")) return KONG_TEMPLATE_PLACEHOLDERS;
    return [...KONG_TEMPLATE_PLACEHOLDERS, ...KONG_KEY_PLACEHOLDERS, ...(previousOpaqueKeys ? KONG_PREVIOUS_KEY_PLACEHOLDERS : [])];
}

/** Where the template is uploaded and where the kong container's start script writes the expanded config. */
export interface KongConfigPaths {
    readonly templatePath: string;
    readonly renderedPath: string;
}

/**
 * The expanded config holds the keys and the dashboard login, so it is written to an in-memory
 * folder (KONG_RENDERED_CONFIG_TMPFS), never to the container's writable layer, which `docker diff`,
 * `docker export` and commits read. Upstream's path for Kong 2.8, /home/kong/kong.yml, is kept by
 * making /home/kong that folder; Kong 3.9 (0.8.2) uses it too instead of upstream's /usr/local/kong,
 * Kong's prefix, whose files from the image a mount there would hide. The template, which holds no
 * secret, lives outside it: an upload under a mount point would be hidden by the mount.
 */
export const KONG_DECLARATIVE_CONFIG: KongConfigPaths = {
    templatePath: "/etc/kong/supabase-fleet/kong.yml.template",
    renderedPath: "/home/kong/kong.yml",
};

/** The tmpfs mount of the kong container: only the kong user's start script writes there (umask 077). */
export const KONG_RENDERED_CONFIG_TMPFS = { path: "/home/kong", options: "rw,nosuid,nodev,noexec,size=1m,mode=1777" } as const;

const placeholder = (name: KongTemplatePlaceholder): string => `$${name}`;

interface KongPlugin {
    readonly name: string;
    readonly config?: Record<string, any>;
}

interface KongService {
    readonly name: string;
    readonly url: string;
    readonly protocol?: "http" | "ws";
    /** Milliseconds Kong waits for the upstream's answer (Kong's default: 60000). */
    readonly read_timeout?: number;
    readonly routes: readonly { readonly name: string; readonly strip_path: true; readonly paths: readonly string[] }[];
    readonly plugins?: readonly KongPlugin[];
}

const url = (service: keyof typeof SERVICE_CATALOG, port: number, path: string): string =>
    `http://${SERVICE_CATALOG[service].alias}:${port}${path}`;

const cors: KongPlugin = { name: "cors" };
const keyAuth = (hideCredentials: boolean): KongPlugin => ({ name: "key-auth", config: { hide_credentials: hideCredentials } });
const aclAllow = (...groups: string[]): KongPlugin => ({ name: "acl", config: { hide_groups_header: true, allow: groups } });
/** Answers 403 itself: the upstream is never called, whatever key or login the request carries. */
const denied: KongPlugin = { name: "request-termination", config: { status_code: 403, message: "Forbidden" } };

interface ServiceOptions {
    readonly protocol?: "http" | "ws";
    readonly readTimeoutMs?: number;
}

function service(name: string, routeName: string, paths: string | readonly string[], target: string, plugins: readonly KongPlugin[], options: ServiceOptions = {}): KongService {
    return {
        name,
        url: target,
        ...(options.protocol ? { protocol: options.protocol } : {}),
        ...(options.readTimeoutMs ? { read_timeout: options.readTimeoutMs } : {}),
        routes: [{ name: routeName, strip_path: true, paths: typeof paths === "string" ? [paths] : paths }],
        ...(plugins.length > 0 ? { plugins } : {}),
    };
}

/**
 * 0.8.2: the services only ever see JWTs. A request that carries an opaque key gets the ES256 JWT of
 * its role as `Authorization` (a JWT the client sent itself is kept), as upstream's Kong 3.9 config
 * does with request-transformer's Lua templates. The keys are placeholders, filled in at start;
 * Lua's long brackets quote them, so the template needs no quote character.
 */
const opaqueToJwt = (value: string, jwtPrefix: string, previous: boolean): string => {
    const matches = (current: KongTemplatePlaceholder, before: KongTemplatePlaceholder) =>
        previous ? `(${value} == [[${placeholder(current)}]] or ${value} == [[${placeholder(before)}]])` : `${value} == [[${placeholder(current)}]]`;
    return (
        `(${matches("SUPABASE_SECRET_KEY", "SUPABASE_PREVIOUS_SECRET_KEY")} and [[${jwtPrefix}${placeholder("SERVICE_ROLE_KEY_ASYMMETRIC")}]]) or ` +
        `(${matches("SUPABASE_PUBLISHABLE_KEY", "SUPABASE_PREVIOUS_PUBLISHABLE_KEY")} and [[${jwtPrefix}${placeholder("ANON_KEY_ASYMMETRIC")}]])`
    );
};
/**
 * The Authorization value: a client's JWT as it is; else the JWT of the opaque `apikey`; else the
 * apikey itself, a legacy key, which is a JWT of its role (as a bearer: the services read no other form).
 */
export const luaAuthorizationExpression = (previous: boolean): string =>
    `$((headers.authorization ~= nil and headers.authorization:sub(1, 10) ~= [[Bearer sb_]] and headers.authorization) or ${opaqueToJwt("headers.apikey", "Bearer ", previous)} or ([[Bearer ]] .. headers.apikey))`;
/** Realtime's websocket takes its key from the query string: the opaque key becomes its JWT there too. */
export const luaRealtimeKeyExpression = (previous: boolean): string => `$(${opaqueToJwt("query_params.apikey", "", previous)} or query_params.apikey)`;
const authorizationFromKey = (previous: boolean) => {
    const value = `Authorization:${luaAuthorizationExpression(previous)}`;
    return { name: "request-transformer", config: { add: { headers: [value] }, replace: { headers: [value] } } };
};
const realtimeKeyFromOpaque = (previous: boolean): KongPlugin => ({
    name: "request-transformer",
    config: { add: { headers: [`x-api-key:${luaRealtimeKeyExpression(previous)}`] }, replace: { querystring: [`apikey:${luaRealtimeKeyExpression(previous)}`] } },
});

/** Realtime's tenant admin API and its description: anyone with the public anon key could change the tenant. */
export const REALTIME_DENIED_PATHS = ["/realtime/v1/api/tenants", "/realtime/v1/api/openapi"] as const;
/**
 * PostgREST's root answers with the OpenAPI description of every exposed table and function: the
 * service key only, as upstream since 0.7.0. A regex path (the `$` makes it one), which Kong's router
 * tries before every prefix path and anchors at the start: it matches `/rest/v1/` and nothing longer.
 * Kong 3.9 reads the 2.1-format config with the same meaning (it marks such a path as `~` itself).
 */
export const REST_OPENAPI_ROOT_PATH = "/rest/v1/$";
/** Studio's MCP endpoint: it acts on the database with Studio's rights, so basic auth alone must not open it. */
export const STUDIO_MCP_DENIED_PATHS = ["/api/mcp", "/mcp"] as const;

export interface KongConfigInput {
    readonly analyticsEnabled: boolean;
    readonly release: Release;
    /** 0.8.2 on, after a rotation of the opaque keys: the previous pair is still accepted. */
    readonly previousOpaqueKeys?: boolean;
}

function kongServices({ analyticsEnabled, release, previousOpaqueKeys = false }: KongConfigInput): KongService[] {
    const current = isAtLeast(release, "0.8.2");
    const auth = (path: string) => url("auth", INTERNAL_PORTS.auth, path);
    const rest = (path: string) => url("rest", INTERNAL_PORTS.rest, path);
    const realtime = (path: string) => url("realtime", INTERNAL_PORTS.realtime, path);
    const studio = (path: string) => url("studio", INTERNAL_PORTS.studio, path);
    // Routes behind key-auth get the opaque-key mapping from 0.8.2 on (the key is there and valid).
    const mapping = authorizationFromKey(previousOpaqueKeys);
    const mapKey = current ? [mapping] : [];
    const apiKeyUsers = [cors, keyAuth(false), ...mapKey, aclAllow("admin", "anon")];
    const openAuth = (name: string, path: string, target: string) => service(name, name, path, auth(target), [cors]);
    return [
        // GoTrue's email links and OAuth redirects arrive without an API key.
        service("auth-v1-open", "auth-v1-open", "/auth/v1/verify", auth("/verify"), [cors]),
        service("auth-v1-open-callback", "auth-v1-open-callback", "/auth/v1/callback", auth("/callback"), [cors]),
        service("auth-v1-open-authorize", "auth-v1-open-authorize", "/auth/v1/authorize", auth("/authorize"), [cors]),
        // From 0.8.2 on, as upstream: the public key set, SAML's identity-provider callbacks and the
        // OAuth server metadata are public by design.
        ...(current
            ? [
                  openAuth("auth-v1-open-jwks", "/auth/v1/.well-known/jwks.json", "/.well-known/jwks.json"),
                  openAuth("auth-v1-open-sso-acs", "/auth/v1/sso/saml/acs", "/sso/saml/acs"),
                  openAuth("auth-v1-open-sso-metadata", "/auth/v1/sso/saml/metadata", "/sso/saml/metadata"),
                  openAuth("well-known-oauth", "/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server"),
              ]
            : []),
        service("auth-v1", "auth-v1-all", "/auth/v1/", auth("/"), apiKeyUsers),
        service("rest-v1-openapi", "rest-v1-openapi", REST_OPENAPI_ROOT_PATH, rest("/"), [cors, keyAuth(true), ...mapKey, aclAllow("admin")]),
        service("rest-v1", "rest-v1-all", "/rest/v1/", rest("/"), [cors, keyAuth(true), ...mapKey, aclAllow("admin", "anon")]),
        service("graphql-v1", "graphql-v1-all", "/graphql/v1", rest("/rpc/graphql"), [
            cors,
            keyAuth(true),
            // One request-transformer per service: the profile header and, from 0.8.2 on, the key mapping.
            current
                ? { name: "request-transformer", config: { add: { headers: ["Content-Profile:graphql_public", ...mapping.config.add.headers] }, replace: mapping.config.replace } }
                : { name: "request-transformer", config: { add: { headers: ["Content-Profile:graphql_public"] } } },
            aclAllow("admin", "anon"),
        ]),
        service("realtime-v1-ws", "realtime-v1-ws", "/realtime/v1/", realtime("/socket"), current ? [cors, keyAuth(false), realtimeKeyFromOpaque(previousOpaqueKeys), aclAllow("admin", "anon")] : apiKeyUsers, { protocol: "ws" }),
        // Longer than /realtime/v1/api, so Kong picks it first: denied in every release.
        service("realtime-v1-api-denied", "realtime-v1-api-denied", REALTIME_DENIED_PATHS, realtime("/api"), [denied]),
        service("realtime-v1-rest", "realtime-v1-rest", "/realtime/v1/api", realtime("/api"), apiKeyUsers, { protocol: "http" }),
        // Storage and the edge runtime check tokens themselves.
        service("storage-v1", "storage-v1-all", "/storage/v1/", url("storage", INTERNAL_PORTS.storage, "/"), [cors]),
        // Upstream (0.6.0) gives functions 150 s to answer.
        service("functions-v1", "functions-v1-all", "/functions/v1/", url("functions", INTERNAL_PORTS.functions, "/"), [cors], current ? { readTimeoutMs: 150_000 } : {}),
        // Upstream 0.8 no longer publishes analytics through the gateway.
        ...(analyticsEnabled && !current
            ? [service("analytics-v1", "analytics-v1-all", "/analytics/v1/", url("analytics", INTERNAL_PORTS.analytics, "/"), [keyAuth(false), aclAllow("admin")])]
            : []),
        service("meta", "meta-all", "/pg/", url("meta", INTERNAL_PORTS.meta, "/"), [keyAuth(false), aclAllow("admin")]),
        service("dashboard-mcp-denied", "dashboard-mcp-denied", STUDIO_MCP_DENIED_PATHS, studio("/api/mcp"), [denied]),
        // Catch-all: Studio, behind the dashboard login.
        service("dashboard", "dashboard-all", "/", studio("/"), [cors, { name: "basic-auth", config: { hide_credentials: true } }]),
    ];
}

const keys = (input: KongConfigInput, legacy: KongTemplatePlaceholder, opaque: KongTemplatePlaceholder, previous: KongTemplatePlaceholder) =>
    [legacy, ...(isAtLeast(input.release, "0.8.2") ? [opaque, ...(input.previousOpaqueKeys ? [previous] : [])] : [])].map((name) => ({ key: placeholder(name) }));

/** The template as an object; `renderKongDeclarativeConfigTemplate` serialises it. */
export function kongDeclarativeConfig(input: KongConfigInput): Record<string, unknown> {
    return {
        _format_version: "2.1",
        _transform: true,
        consumers: [
            { username: "DASHBOARD" },
            // From 0.8.2 on each role also has its opaque key (and never the internal ES256 JWT: clients may not present it).
            { username: "anon", keyauth_credentials: keys(input, "SUPABASE_ANON_KEY", "SUPABASE_PUBLISHABLE_KEY", "SUPABASE_PREVIOUS_PUBLISHABLE_KEY") },
            { username: "service_role", keyauth_credentials: keys(input, "SUPABASE_SERVICE_KEY", "SUPABASE_SECRET_KEY", "SUPABASE_PREVIOUS_SECRET_KEY") },
        ],
        acls: [
            { consumer: "anon", group: "anon" },
            { consumer: "service_role", group: "admin" },
        ],
        basicauth_credentials: [
            { consumer: "DASHBOARD", username: placeholder("DASHBOARD_USERNAME"), password: placeholder("DASHBOARD_PASSWORD") },
        ],
        services: kongServices(input),
    };
}

/**
 * Every string is single-quoted, so an expanded value may hold any character YAML treats specially
 * except `'` (the expansion doubles it, see kongTemplateExpansion.ts). The file holds no `"`, `\`,
 * backtick or other `$`, so a shell-based expansion cannot misread it either.
 */
export function renderKongDeclarativeConfigTemplate(input: KongConfigInput): string {
    return toDeterministicYaml(kongDeclarativeConfig(input), { singleQuoteStrings: true });
}
