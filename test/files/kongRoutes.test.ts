/**
 * Every request path against the rendered Kong config of every release: which route Kong picks (regex
 * paths first, anchored at the start; then plain paths as prefixes, the longest match wins) and what its plugins let through for a caller with the
 * anon key, the service key, the dashboard login, or nothing. A model of Kong's traditional router and
 * of the plugins this config uses, not Kong itself; the e2e suite exercises the real gateway.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REALTIME_DENIED_PATHS, STUDIO_MCP_DENIED_PATHS } from "../../components/files/index.js";
import { RELEASE_NAMES, type ReleaseName } from "../../components/releases.js";
import { render } from "./fixtures.js";

interface Plugin {
    name: string;
    config?: { allow?: string[]; status_code?: number };
}
interface Service {
    name: string;
    url: string;
    read_timeout?: number;
    routes: { paths: string[] }[];
    plugins?: Plugin[];
}

type Caller = "nobody" | "anon" | "service_role" | "dashboard";
const GROUP_OF: Partial<Record<Caller, string>> = { anon: "anon", service_role: "admin" };

type Outcome = { status: 401 | 403 | 404 } | { status: "proxied"; service: string; upstream: string };

function servicesOf(release: ReleaseName, analyticsEnabled: boolean): Service[] {
    return parse(render("acme", analyticsEnabled, release).kongDeclarativeConfigTemplate.content).services as Service[];
}

/** Kong's test for a regex path: a character outside those of a plain URI path. */
const isRegexPath = (path: string) => /[^A-Za-z0-9\-._~/%]/.test(path);

function request(services: Service[], path: string, caller: Caller): Outcome {
    let best: { service: Service; prefix: string } | undefined;
    for (const service of services) {
        for (const candidate of service.routes.flatMap((route) => route.paths).filter(isRegexPath)) {
            const match = new RegExp(`^(?:${candidate})`).exec(path);
            if (match && !best) best = { service, prefix: match[0] };
        }
    }
    for (const service of best ? [] : services) {
        for (const prefix of service.routes.flatMap((route) => route.paths).filter((p) => !isRegexPath(p))) {
            if (path.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { service, prefix };
        }
    }
    if (!best) return { status: 404 };
    for (const plugin of best.service.plugins ?? []) {
        if (plugin.name === "request-termination") return { status: plugin.config!.status_code as 403 };
        if (plugin.name === "key-auth" && GROUP_OF[caller] === undefined) return { status: 401 };
        if (plugin.name === "acl" && !plugin.config!.allow!.includes(GROUP_OF[caller] ?? "")) return { status: 403 };
        if (plugin.name === "basic-auth" && caller !== "dashboard") return { status: 401 };
    }
    // strip_path: the matched prefix is replaced by the service URL's path.
    const rest = path.slice(best.prefix.length);
    const upstream = best.service.url.endsWith("/") && rest.startsWith("/") ? best.service.url + rest.slice(1) : best.service.url + rest;
    return { status: "proxied", service: best.service.name, upstream };
}

const CALLERS: Caller[] = ["nobody", "anon", "service_role", "dashboard"];
const VARIANTS = RELEASE_NAMES.flatMap((release) => [true, false].map((analytics) => ({ release, analytics })));

describe("denied in every release, whoever asks", () => {
    const deniedPaths = [
        ...REALTIME_DENIED_PATHS,
        ...STUDIO_MCP_DENIED_PATHS,
        "/realtime/v1/api/tenants/realtime-dev",
        "/realtime/v1/api/tenants/realtime-dev/health",
        "/api/mcp/sse",
        "/mcp/",
    ];
    for (const { release, analytics } of VARIANTS) {
        it(`${release}, analytics ${analytics ? "on" : "off"}: realtime's tenant API and Studio's MCP endpoint answer 403`, () => {
            const services = servicesOf(release, analytics);
            for (const path of deniedPaths) for (const caller of CALLERS) expect(request(services, path, caller), `${caller} ${path}`).toEqual({ status: 403 });
        });
    }
    it("lists exactly upstream's denied paths", () => {
        expect([...REALTIME_DENIED_PATHS, ...STUDIO_MCP_DENIED_PATHS]).toEqual(["/realtime/v1/api/tenants", "/realtime/v1/api/openapi", "/api/mcp", "/mcp"]);
    });
});

describe("what stays reachable next to the denied routes", () => {
    for (const release of RELEASE_NAMES) {
        const services = servicesOf(release, true);
        it(`${release}: the rest of realtime's API with a key; Studio with the dashboard login only; meta with the service key only`, () => {
            expect(request(services, "/realtime/v1/api/broadcast", "anon")).toEqual({ status: "proxied", service: "realtime-v1-rest", upstream: "http://realtime-dev.supabase-realtime:4000/api/broadcast" });
            expect(request(services, "/realtime/v1/api/broadcast", "nobody")).toEqual({ status: 401 });
            expect(request(services, "/project/default", "dashboard")).toMatchObject({ status: "proxied", service: "dashboard" });
            for (const caller of ["nobody", "anon", "service_role"] as const) expect(request(services, "/project/default", caller)).toEqual({ status: 401 });
            expect(request(services, "/pg/tables", "anon")).toEqual({ status: 403 });
            expect(request(services, "/pg/tables", "service_role")).toMatchObject({ status: "proxied", service: "meta" });
            expect(request(services, "/rest/v1/todos", "nobody")).toEqual({ status: 401 });
            expect(request(services, "/rest/v1/todos", "anon")).toMatchObject({ status: "proxied", upstream: "http://rest:3000/todos" });
            // The OpenAPI root describes every exposed table: the service key only.
            expect(request(services, "/rest/v1/", "anon")).toEqual({ status: 403 });
            expect(request(services, "/rest/v1/", "nobody")).toEqual({ status: 401 });
            expect(request(services, "/rest/v1/", "service_role")).toEqual({ status: "proxied", service: "rest-v1-openapi", upstream: "http://rest:3000/" });
            expect(request(services, "/rest/v1/rpc/hello", "anon")).toMatchObject({ status: "proxied", service: "rest-v1", upstream: "http://rest:3000/rpc/hello" });
            expect(request(services, "/auth/v1/verify", "nobody")).toMatchObject({ status: "proxied", upstream: "http://auth:9999/verify" });
        });
    }
});

describe("routes by release", () => {
    it("0.8.2 opens the key set, SAML's callbacks and the OAuth server metadata, as upstream; feb-2026 keeps them behind a key", () => {
        const current = servicesOf("0.8.2", true);
        expect(request(current, "/auth/v1/.well-known/jwks.json", "nobody")).toMatchObject({ status: "proxied", upstream: "http://auth:9999/.well-known/jwks.json" });
        expect(request(current, "/auth/v1/sso/saml/acs", "nobody")).toMatchObject({ status: "proxied", upstream: "http://auth:9999/sso/saml/acs" });
        expect(request(current, "/auth/v1/sso/saml/metadata", "nobody")).toMatchObject({ status: "proxied", upstream: "http://auth:9999/sso/saml/metadata" });
        expect(request(current, "/.well-known/oauth-authorization-server", "nobody")).toMatchObject({
            status: "proxied",
            upstream: "http://auth:9999/.well-known/oauth-authorization-server",
        });
        const feb = servicesOf("feb-2026", true);
        expect(request(feb, "/auth/v1/.well-known/jwks.json", "nobody")).toEqual({ status: 401 });
        expect(request(feb, "/.well-known/oauth-authorization-server", "nobody")).toEqual({ status: 401 }); // Studio's basic auth
    });

    it("analytics is published (admin only) in feb-2026 with analytics on, never in 0.8.2", () => {
        expect(request(servicesOf("feb-2026", true), "/analytics/v1/api/logs", "service_role")).toMatchObject({ status: "proxied", service: "analytics-v1" });
        expect(request(servicesOf("feb-2026", true), "/analytics/v1/api/logs", "anon")).toEqual({ status: 403 });
        for (const analytics of [true, false]) expect(servicesOf("0.8.2", analytics).map((s) => s.name)).not.toContain("analytics-v1");
    });

    it("functions get 150 s to answer from 0.8.2 on (Kong's 60 s default before)", () => {
        const timeoutOf = (release: ReleaseName) => servicesOf(release, true).find((s) => s.name === "functions-v1")!.read_timeout;
        expect([timeoutOf("feb-2026"), timeoutOf("0.8.2")]).toEqual([undefined, 150_000]);
    });
});
