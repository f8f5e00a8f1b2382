/**
 * Kong's declarative config (format 2.1). Keys and the dashboard login appear only as `$NAME`
 * placeholders that the kong container fills from its environment when it starts: the uploaded
 * template, Pulumi state and previews never hold a secret.
 */
import { INTERNAL_PORTS, SERVICE_CATALOG } from "../catalog.js";
import { toDeterministicYaml } from "./yaml.js";

/** Environment variables of the kong container that fill the template's `$NAME` placeholders. */
export const KONG_TEMPLATE_PLACEHOLDERS = ["SUPABASE_ANON_KEY", "SUPABASE_SERVICE_KEY", "DASHBOARD_USERNAME", "DASHBOARD_PASSWORD"] as const;
export type KongTemplatePlaceholder = (typeof KONG_TEMPLATE_PLACEHOLDERS)[number];

export const KONG_DECLARATIVE_CONFIG = {
    /** Where the template is uploaded. */
    templatePath: "/home/kong/temp.yml",
    /** Where the expanded config is written at start; `KONG_DECLARATIVE_CONFIG` points here. */
    renderedPath: "/home/kong/kong.yml",
    placeholders: KONG_TEMPLATE_PLACEHOLDERS,
} as const;

const placeholder = (name: KongTemplatePlaceholder): string => `$${name}`;

interface KongPlugin {
    readonly name: string;
    readonly config?: Record<string, unknown>;
}

interface KongService {
    readonly name: string;
    readonly url: string;
    readonly protocol?: "http" | "ws";
    readonly routes: readonly { readonly name: string; readonly strip_path: true; readonly paths: readonly string[] }[];
    readonly plugins?: readonly KongPlugin[];
}

const url = (service: keyof typeof SERVICE_CATALOG, port: number, path: string): string =>
    `http://${SERVICE_CATALOG[service].alias}:${port}${path}`;

const cors: KongPlugin = { name: "cors" };
const keyAuth = (hideCredentials: boolean): KongPlugin => ({ name: "key-auth", config: { hide_credentials: hideCredentials } });
const aclAllow = (...groups: string[]): KongPlugin => ({ name: "acl", config: { hide_groups_header: true, allow: groups } });

function service(name: string, routeName: string, path: string, target: string, plugins: readonly KongPlugin[], protocol?: "http" | "ws"): KongService {
    return {
        name,
        url: target,
        ...(protocol ? { protocol } : {}),
        routes: [{ name: routeName, strip_path: true, paths: [path] }],
        ...(plugins.length > 0 ? { plugins } : {}),
    };
}

function kongServices(analyticsEnabled: boolean): KongService[] {
    const auth = (path: string) => url("auth", INTERNAL_PORTS.auth, path);
    const rest = (path: string) => url("rest", INTERNAL_PORTS.rest, path);
    const realtime = (path: string) => url("realtime", INTERNAL_PORTS.realtime, path);
    const apiKeyUsers = [cors, keyAuth(false), aclAllow("admin", "anon")];
    return [
        // GoTrue's email links and OAuth redirects arrive without an API key.
        service("auth-v1-open", "auth-v1-open", "/auth/v1/verify", auth("/verify"), [cors]),
        service("auth-v1-open-callback", "auth-v1-open-callback", "/auth/v1/callback", auth("/callback"), [cors]),
        service("auth-v1-open-authorize", "auth-v1-open-authorize", "/auth/v1/authorize", auth("/authorize"), [cors]),
        service("auth-v1", "auth-v1-all", "/auth/v1/", auth("/"), apiKeyUsers),
        service("rest-v1", "rest-v1-all", "/rest/v1/", rest("/"), [cors, keyAuth(true), aclAllow("admin", "anon")]),
        service("graphql-v1", "graphql-v1-all", "/graphql/v1", rest("/rpc/graphql"), [
            cors,
            keyAuth(true),
            { name: "request-transformer", config: { add: { headers: ["Content-Profile:graphql_public"] } } },
            aclAllow("admin", "anon"),
        ]),
        service("realtime-v1-ws", "realtime-v1-ws", "/realtime/v1/", realtime("/socket"), apiKeyUsers, "ws"),
        service("realtime-v1-rest", "realtime-v1-rest", "/realtime/v1/api", realtime("/api"), apiKeyUsers, "http"),
        // Storage and the edge runtime check tokens themselves.
        service("storage-v1", "storage-v1-all", "/storage/v1/", url("storage", INTERNAL_PORTS.storage, "/"), [cors]),
        service("functions-v1", "functions-v1-all", "/functions/v1/", url("functions", INTERNAL_PORTS.functions, "/"), [cors]),
        ...(analyticsEnabled
            ? [service("analytics-v1", "analytics-v1-all", "/analytics/v1/", url("analytics", INTERNAL_PORTS.analytics, "/"), [keyAuth(false), aclAllow("admin")])]
            : []),
        service("meta", "meta-all", "/pg/", url("meta", INTERNAL_PORTS.meta, "/"), [keyAuth(false), aclAllow("admin")]),
        // Catch-all: Studio, behind the dashboard login.
        service("dashboard", "dashboard-all", "/", url("studio", INTERNAL_PORTS.studio, "/"), [cors, { name: "basic-auth", config: { hide_credentials: true } }]),
    ];
}

/** The template as an object; `renderKongDeclarativeConfigTemplate` serialises it. */
export function kongDeclarativeConfig(analyticsEnabled: boolean): Record<string, unknown> {
    return {
        _format_version: "2.1",
        _transform: true,
        consumers: [
            { username: "DASHBOARD" },
            { username: "anon", keyauth_credentials: [{ key: placeholder("SUPABASE_ANON_KEY") }] },
            { username: "service_role", keyauth_credentials: [{ key: placeholder("SUPABASE_SERVICE_KEY") }] },
        ],
        acls: [
            { consumer: "anon", group: "anon" },
            { consumer: "service_role", group: "admin" },
        ],
        basicauth_credentials: [
            { consumer: "DASHBOARD", username: placeholder("DASHBOARD_USERNAME"), password: placeholder("DASHBOARD_PASSWORD") },
        ],
        services: kongServices(analyticsEnabled),
    };
}

/**
 * Every string is single-quoted, so an expanded value may hold any character YAML treats specially
 * except `'` (the expansion doubles it, see kongTemplateExpansion.ts). The file holds no `"`, `\`,
 * backtick or other `$`, so a shell-based expansion cannot misread it either.
 */
export function renderKongDeclarativeConfigTemplate(analyticsEnabled: boolean): string {
    return toDeterministicYaml(kongDeclarativeConfig(analyticsEnabled), { singleQuoteStrings: true });
}
