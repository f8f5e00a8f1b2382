/**
 * The gateway's route table: the one place that says which request paths a tenant's gateway serves,
 * where each goes, and who may call it. Both gateways render from it: Kong's declarative config
 * (components/files/kongConfig.ts) and Envoy's listener (components/gateway/envoyConfig.ts), so a
 * route added, denied or opened here changes every release's gateway the same way.
 */
import { INTERNAL_PORTS, type ServiceName } from "../catalog.js";
import { isAtLeast, type Release } from "../releases.js";

/**
 * Who may call a route:
 * - open: anyone (the service checks tokens itself, or the route is public by design);
 * - apiKey: the anon or the service key (legacy or, from 0.8.2 on, opaque);
 * - serviceKey: the service key only;
 * - dashboard: the dashboard login (basic auth);
 * - denied: nobody; the gateway answers 403 and never calls the upstream.
 */
export type RouteAccess = "open" | "apiKey" | "serviceKey" | "dashboard" | "denied";

/** The roles a key may have; `serviceKey` routes admit the second only. */
export const KEY_ROLES = ["anon", "service_role"] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

export interface RouteMatch {
    /** Path prefixes (Kong's plain paths); any one of them matches. */
    readonly prefixes?: readonly string[];
    /** One path exactly (the query string aside). */
    readonly exact?: string;
}

export interface GatewayRoute {
    /** Kong's service name; Envoy's route name. */
    readonly service: string;
    /** Kong's route name. */
    readonly route: string;
    readonly match: RouteMatch;
    /** The upstream and the path the matched part is replaced by. */
    readonly upstream: { readonly service: ServiceName; readonly port: number; readonly path: string };
    readonly access: RouteAccess;
    /** Answers browsers' CORS requests (any origin, as upstream). */
    readonly cors: boolean;
    /** The API key is taken off the request before it is passed on (the upstream never needs it). */
    readonly hideKey?: boolean;
    /**
     * The upstream verifies a JWT: from 0.8.2 on, a request with an opaque key reaches it with its
     * role's ES256 JWT as `Authorization` (postgres-meta and analytics read none). On an open route
     * only this tenant's opaque keys are mapped; any other request passes as it came.
     */
    readonly jwtForUpstream?: boolean;
    /** A websocket (Realtime's socket): its key travels in the query string and is mapped there too. */
    readonly websocket?: boolean;
    /** Kong only: the protocol written on the service, as upstream's kong.yml does. */
    readonly kongProtocol?: "http" | "ws";
    /** Seconds the gateway waits for the upstream's answer; unset: the gateway's default. */
    readonly timeoutSeconds?: number;
    /** Request headers the gateway adds. */
    readonly addHeaders?: Readonly<Record<string, string>>;
}

/** Realtime's tenant admin API and its description: anyone with the public anon key could change the tenant. */
export const REALTIME_DENIED_PATHS = ["/realtime/v1/api/tenants", "/realtime/v1/api/openapi"] as const;
/** Studio's MCP endpoint: it acts on the database with Studio's rights, so basic auth alone must not open it. */
export const STUDIO_MCP_DENIED_PATHS = ["/api/mcp", "/mcp"] as const;
/** PostgREST's root answers with the OpenAPI description of every exposed table and function: the service key only, as upstream since 0.7.0. */
export const REST_OPENAPI_ROOT = "/rest/v1/";
/** Upstream (0.6.0 on) gives functions 150 s to answer. */
export const FUNCTIONS_TIMEOUT_SECONDS = 150;

export interface RouteTableInput {
    readonly release: Release;
    readonly analyticsEnabled: boolean;
}

const to = (service: ServiceName, port: number, path: string) => ({ service, port, path });
const prefix = (...prefixes: string[]): RouteMatch => ({ prefixes });

/**
 * Every route of a tenant's gateway, in the order Kong's config lists them (Kong picks the longest
 * match; Envoy's renderer orders them so that its first match is the same one).
 */
export function gatewayRoutes({ release, analyticsEnabled }: RouteTableInput): GatewayRoute[] {
    const current = isAtLeast(release, "0.8.2");
    const auth = (path: string) => to("auth", INTERNAL_PORTS.auth, path);
    const rest = (path: string) => to("rest", INTERNAL_PORTS.rest, path);
    const realtime = (path: string) => to("realtime", INTERNAL_PORTS.realtime, path);
    const studio = (path: string) => to("studio", INTERNAL_PORTS.studio, path);
    const openAuth = (name: string, path: string, target: string): GatewayRoute => ({ service: name, route: name, match: prefix(path), upstream: auth(target), access: "open", cors: true });
    return [
        // GoTrue's email links and OAuth redirects arrive without an API key.
        openAuth("auth-v1-open", "/auth/v1/verify", "/verify"),
        openAuth("auth-v1-open-callback", "/auth/v1/callback", "/callback"),
        openAuth("auth-v1-open-authorize", "/auth/v1/authorize", "/authorize"),
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
        { service: "auth-v1", route: "auth-v1-all", match: prefix("/auth/v1/"), upstream: auth("/"), access: "apiKey", cors: true, jwtForUpstream: true },
        { service: "rest-v1-openapi", route: "rest-v1-openapi", match: { exact: REST_OPENAPI_ROOT }, upstream: rest("/"), access: "serviceKey", cors: true, hideKey: true, jwtForUpstream: true },
        { service: "rest-v1", route: "rest-v1-all", match: prefix("/rest/v1/"), upstream: rest("/"), access: "apiKey", cors: true, hideKey: true, jwtForUpstream: true },
        {
            service: "graphql-v1",
            route: "graphql-v1-all",
            match: prefix("/graphql/v1"),
            upstream: rest("/rpc/graphql"),
            access: "apiKey",
            cors: true,
            hideKey: true,
            jwtForUpstream: true,
            addHeaders: { "Content-Profile": "graphql_public" },
        },
        { service: "realtime-v1-ws", route: "realtime-v1-ws", match: prefix("/realtime/v1/"), upstream: realtime("/socket"), access: "apiKey", cors: true, jwtForUpstream: true, websocket: true, kongProtocol: "ws" },
        { service: "realtime-v1-api-denied", route: "realtime-v1-api-denied", match: prefix(...REALTIME_DENIED_PATHS), upstream: realtime("/api"), access: "denied", cors: false },
        { service: "realtime-v1-rest", route: "realtime-v1-rest", match: prefix("/realtime/v1/api"), upstream: realtime("/api"), access: "apiKey", cors: true, jwtForUpstream: true, kongProtocol: "http" },
        // Storage and the edge runtime check tokens themselves; storage gets the JWT of an opaque key, as upstream's Kong 3.9 gives it.
        { service: "storage-v1", route: "storage-v1-all", match: prefix("/storage/v1/"), upstream: to("storage", INTERNAL_PORTS.storage, "/"), access: "open", cors: true, jwtForUpstream: true },
        {
            service: "functions-v1",
            route: "functions-v1-all",
            match: prefix("/functions/v1/"),
            upstream: to("functions", INTERNAL_PORTS.functions, "/"),
            access: "open",
            cors: true,
            ...(current ? { timeoutSeconds: FUNCTIONS_TIMEOUT_SECONDS } : {}),
        },
        // Upstream 0.8 no longer publishes analytics through the gateway.
        ...(analyticsEnabled && !current
            ? [{ service: "analytics-v1", route: "analytics-v1-all", match: prefix("/analytics/v1/"), upstream: to("analytics", INTERNAL_PORTS.analytics, "/"), access: "serviceKey", cors: false } as const]
            : []),
        { service: "meta", route: "meta-all", match: prefix("/pg/"), upstream: to("meta", INTERNAL_PORTS.meta, "/"), access: "serviceKey", cors: false },
        { service: "dashboard-mcp-denied", route: "dashboard-mcp-denied", match: prefix(...STUDIO_MCP_DENIED_PATHS), upstream: studio("/api/mcp"), access: "denied", cors: false },
        // Catch-all: Studio, behind the dashboard login.
        { service: "dashboard", route: "dashboard-all", match: prefix("/"), upstream: studio("/"), access: "dashboard", cors: true },
    ];
}

/** The roles a route admits by key; empty for routes that take no key. */
export function rolesOf(access: RouteAccess): readonly KeyRole[] {
    if (access === "apiKey") return KEY_ROLES;
    if (access === "serviceKey") return ["service_role"];
    return [];
}
