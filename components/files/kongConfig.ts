/**
 * Kong's declarative config (format 2.1). Keys and the dashboard login appear only as `$NAME`
 * placeholders that the kong container fills from its environment when it starts: the uploaded
 * template, Pulumi state and previews never hold a secret.
 */
import { SERVICE_CATALOG } from "../catalog.js";
import { gatewayRoutes, REST_OPENAPI_ROOT, rolesOf, type GatewayRoute, type KeyRole } from "../gateway/routes.js";
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

const cors: KongPlugin = { name: "cors" };
const keyAuth = (hideCredentials: boolean): KongPlugin => ({ name: "key-auth", config: { hide_credentials: hideCredentials } });
const aclAllow = (...groups: string[]): KongPlugin => ({ name: "acl", config: { hide_groups_header: true, allow: groups } });
/** Answers 403 itself: the upstream is never called, whatever key or login the request carries. */
const denied: KongPlugin = { name: "request-termination", config: { status_code: 403, message: "Forbidden" } };

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
/**
 * The Authorization value on an open route (storage): the opaque `apikey`'s JWT when the client sent
 * no JWT of its own; else what the client sent, or nothing (an empty value, which
 * `CLEAR_EMPTY_AUTHORIZATION_LUA` then removes, as upstream's post-function does for S3 presigned URLs).
 */
export const luaOpenAuthorizationExpression = (previous: boolean): string =>
    `$(((headers.authorization == nil or headers.authorization:sub(1, 10) == [[Bearer sb_]]) and (${opaqueToJwt("headers.apikey", "Bearer ", previous)})) or headers.authorization or [[]])`;
/** Runs after request-transformer: an Authorization left empty is taken off, so the upstream sees none. */
export const CLEAR_EMPTY_AUTHORIZATION_LUA = "if kong.request.get_header([[authorization]]) == [[]] then kong.service.request.clear_header([[authorization]]) end";
const openAuthorizationFromKey = (previous: boolean): KongPlugin[] => {
    const value = `Authorization:${luaOpenAuthorizationExpression(previous)}`;
    return [
        { name: "request-transformer", config: { add: { headers: [value] }, replace: { headers: [value] } } },
        { name: "post-function", config: { access: [CLEAR_EMPTY_AUTHORIZATION_LUA] } },
    ];
};
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

/**
 * The table's exact path as a Kong regex path (the `$` makes it one): Kong's router tries regex paths
 * before every prefix path and anchors them at the start, so it matches that path and nothing longer.
 * Kong 3.9 reads the 2.1-format config with the same meaning (it marks such a path as `~` itself).
 */
const exactPath = (path: string) => `${path}$`;
export const REST_OPENAPI_ROOT_PATH = exactPath(REST_OPENAPI_ROOT);

export interface KongConfigInput {
    readonly analyticsEnabled: boolean;
    readonly release: Release;
    /** 0.8.2 on, after a rotation of the opaque keys: the previous pair is still accepted. */
    readonly previousOpaqueKeys?: boolean;
}

/** The acl group of each key role, in the order the config lists them. */
const KONG_GROUPS: readonly (readonly [KeyRole, string])[] = [
    ["service_role", "admin"],
    ["anon", "anon"],
];

/** One table route as a Kong service with its one route and the plugins its access needs. */
function kongService(route: GatewayRoute, current: boolean, previousOpaqueKeys: boolean): KongService {
    const mapping = authorizationFromKey(previousOpaqueKeys);
    const roles = rolesOf(route.access);
    const plugins: KongPlugin[] = route.cors ? [cors] : [];
    if (route.access === "denied") plugins.splice(0, plugins.length, denied);
    if (route.access === "dashboard") plugins.push({ name: "basic-auth", config: { hide_credentials: true } });
    if (roles.length > 0) {
        plugins.push(keyAuth(route.hideKey ?? false));
        // From 0.8.2 on the key is mapped to its role's JWT (key-auth has already checked it). One
        // request-transformer per service, so added headers and the mapping share it.
        const headers = Object.entries(route.addHeaders ?? {}).map(([name, value]) => `${name}:${value}`);
        if (current && route.websocket) plugins.push(realtimeKeyFromOpaque(previousOpaqueKeys));
        else if (current && route.jwtForUpstream) plugins.push(headers.length > 0 ? { name: "request-transformer", config: { add: { headers: [...headers, ...mapping.config.add.headers] }, replace: mapping.config.replace } } : mapping);
        else if (headers.length > 0) plugins.push({ name: "request-transformer", config: { add: { headers } } });
        plugins.push(aclAllow(...KONG_GROUPS.filter(([role]) => roles.includes(role)).map(([, group]) => group)));
    } else if (current && route.access === "open" && route.jwtForUpstream) {
        plugins.push(...openAuthorizationFromKey(previousOpaqueKeys));
    }
    const { service, port, path } = route.upstream;
    return {
        name: route.service,
        url: `http://${SERVICE_CATALOG[service].alias}:${port}${path}`,
        ...(route.kongProtocol ? { protocol: route.kongProtocol } : {}),
        ...(route.timeoutSeconds ? { read_timeout: route.timeoutSeconds * 1000 } : {}),
        routes: [{ name: route.route, strip_path: true, paths: route.match.exact !== undefined ? [exactPath(route.match.exact)] : route.match.prefixes! }],
        ...(plugins.length > 0 ? { plugins } : {}),
    };
}

function kongServices({ analyticsEnabled, release, previousOpaqueKeys = false }: KongConfigInput): KongService[] {
    return gatewayRoutes({ release, analyticsEnabled }).map((route) => kongService(route, isAtLeast(release, "0.8.2"), previousOpaqueKeys));
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
