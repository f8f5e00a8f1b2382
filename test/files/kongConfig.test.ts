import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KONG_TEMPLATE_PLACEHOLDERS, kongEntrypoint, kongExpandTemplateScript } from "../../components/files/index.js";
import { RELEASES } from "../../components/releases.js";
import { render } from "./fixtures.js";

const cors = { name: "cors" };
const keyAuth = (hide: boolean) => ({ name: "key-auth", config: { hide_credentials: hide } });
const acl = (...allow: string[]) => ({ name: "acl", config: { hide_groups_header: true, allow } });
const route = (name: string, path: string) => [{ name, strip_path: true, paths: [path] }];
const denied = { name: "request-termination", config: { status_code: 403, message: "Forbidden" } };

const EXPECTED_SERVICES_WITH_ANALYTICS = [
    { name: "auth-v1-open", url: "http://auth:9999/verify", routes: route("auth-v1-open", "/auth/v1/verify"), plugins: [cors] },
    { name: "auth-v1-open-callback", url: "http://auth:9999/callback", routes: route("auth-v1-open-callback", "/auth/v1/callback"), plugins: [cors] },
    { name: "auth-v1-open-authorize", url: "http://auth:9999/authorize", routes: route("auth-v1-open-authorize", "/auth/v1/authorize"), plugins: [cors] },
    { name: "auth-v1", url: "http://auth:9999/", routes: route("auth-v1-all", "/auth/v1/"), plugins: [cors, keyAuth(false), acl("admin", "anon")] },
    { name: "rest-v1-openapi", url: "http://rest:3000/", routes: route("rest-v1-openapi", "/rest/v1/$"), plugins: [cors, keyAuth(true), acl("admin")] },
    { name: "rest-v1", url: "http://rest:3000/", routes: route("rest-v1-all", "/rest/v1/"), plugins: [cors, keyAuth(true), acl("admin", "anon")] },
    {
        name: "graphql-v1",
        url: "http://rest:3000/rpc/graphql",
        routes: route("graphql-v1-all", "/graphql/v1"),
        plugins: [cors, keyAuth(true), { name: "request-transformer", config: { add: { headers: ["Content-Profile:graphql_public"] } } }, acl("admin", "anon")],
    },
    {
        name: "realtime-v1-ws",
        url: "http://realtime-dev.supabase-realtime:4000/socket",
        protocol: "ws",
        routes: route("realtime-v1-ws", "/realtime/v1/"),
        plugins: [cors, keyAuth(false), acl("admin", "anon")],
    },
    {
        name: "realtime-v1-api-denied",
        url: "http://realtime-dev.supabase-realtime:4000/api",
        routes: [{ name: "realtime-v1-api-denied", strip_path: true, paths: ["/realtime/v1/api/tenants", "/realtime/v1/api/openapi"] }],
        plugins: [denied],
    },
    {
        name: "realtime-v1-rest",
        url: "http://realtime-dev.supabase-realtime:4000/api",
        protocol: "http",
        routes: route("realtime-v1-rest", "/realtime/v1/api"),
        plugins: [cors, keyAuth(false), acl("admin", "anon")],
    },
    { name: "storage-v1", url: "http://storage:5000/", routes: route("storage-v1-all", "/storage/v1/"), plugins: [cors] },
    { name: "functions-v1", url: "http://functions:9000/", routes: route("functions-v1-all", "/functions/v1/"), plugins: [cors] },
    { name: "analytics-v1", url: "http://analytics:4000/", routes: route("analytics-v1-all", "/analytics/v1/"), plugins: [keyAuth(false), acl("admin")] },
    { name: "meta", url: "http://meta:8080/", routes: route("meta-all", "/pg/"), plugins: [keyAuth(false), acl("admin")] },
    { name: "dashboard-mcp-denied", url: "http://studio:3000/api/mcp", routes: [{ name: "dashboard-mcp-denied", strip_path: true, paths: ["/api/mcp", "/mcp"] }], plugins: [denied] },
    { name: "dashboard", url: "http://studio:3000/", routes: route("dashboard-all", "/"), plugins: [cors, { name: "basic-auth", config: { hide_credentials: true } }] },
];

const EXPECTED_TOP = {
    _format_version: "2.1",
    _transform: true,
    consumers: [
        { username: "DASHBOARD" },
        { username: "anon", keyauth_credentials: [{ key: "$SUPABASE_ANON_KEY" }] },
        { username: "service_role", keyauth_credentials: [{ key: "$SUPABASE_SERVICE_KEY" }] },
    ],
    acls: [
        { consumer: "anon", group: "anon" },
        { consumer: "service_role", group: "admin" },
    ],
    basicauth_credentials: [{ consumer: "DASHBOARD", username: "$DASHBOARD_USERNAME", password: "$DASHBOARD_PASSWORD" }],
};

describe("Kong declarative config template", () => {
    it("has exactly the expected consumers, ACLs, credentials, services, routes and plugins (analytics on)", () => {
        const config = parse(render("acme", true).kongDeclarativeConfigTemplate.content);
        expect(config).toStrictEqual({ ...EXPECTED_TOP, services: EXPECTED_SERVICES_WITH_ANALYTICS });
    });

    it("has no analytics service, route or reference when analytics is off, and is otherwise the same", () => {
        const template = render("acme", false).kongDeclarativeConfigTemplate.content;
        expect(template).not.toMatch(/analytics/i);
        expect(parse(template)).toStrictEqual({ ...EXPECTED_TOP, services: EXPECTED_SERVICES_WITH_ANALYTICS.filter((s) => s.name !== "analytics-v1") });
    });

    it("holds no character a shell-based expansion could misread", () => {
        const template = render("acme", true).kongDeclarativeConfigTemplate.content;
        expect(template).not.toMatch(/["`\\]/);
        // Every `$` starts a placeholder, but for the end anchor of the OpenAPI root's regex path, which no name follows.
        expect(template.match(/\$[A-Z_]+/g)).toHaveLength(KONG_TEMPLATE_PLACEHOLDERS.length);
        expect(template.match(/\$(?![A-Z_])/g)).toEqual(["$"]);
        expect(template).toContain("- '/rest/v1/$'\n");
        expect(KONG_TEMPLATE_PLACEHOLDERS).toEqual(["SUPABASE_ANON_KEY", "SUPABASE_SERVICE_KEY", "DASHBOARD_USERNAME", "DASHBOARD_PASSWORD"]);
    });
});

describe("Kong template expansion at container start (real sh and awk)", () => {
    const scratch = mkdtempSync(join(tmpdir(), "fleet-kong-"));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    const values = {
        SUPABASE_ANON_KEY: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl",
        SUPABASE_SERVICE_KEY: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2ln",
        DASHBOARD_USERNAME: "ops & co",
        // Everything YAML or sed would trip on: quotes, ': ', ' #', backslashes, &, |, $ and a leading '*'.
        DASHBOARD_PASSWORD: `*it's: a #"p\\a|ss" & $HOME \\1`,
    };
    const shells = [
        { name: "sh + awk", shell: "sh", awkDir: null as string | null },
        { name: "busybox sh + busybox awk (as in the kong image)", shell: "busybox", awkDir: "busybox" },
    ];

    for (const { name, shell, awkDir } of shells) {
        const available = shell === "sh" || existsSync("/usr/bin/busybox") || existsSync("/bin/busybox");
        it.skipIf(!available)(`${name}: fills every placeholder with its exact value${available ? "" : " (skipped: no busybox here)"}`, () => {
            const dir = mkdtempSync(join(scratch, "run-"));
            const templatePath = join(dir, "temp.yml");
            const renderedPath = join(dir, "kong.yml");
            writeFileSync(templatePath, render("acme", true).kongDeclarativeConfigTemplate.content);
            const script = kongExpandTemplateScript({ templatePath, renderedPath }, "echo started");
            let pathEnv = process.env.PATH ?? "/usr/bin:/bin";
            if (awkDir) {
                // Make `awk` resolve to busybox's applet, as in the kong image.
                const bin = join(dir, "bin");
                spawnSync("mkdir", [bin]);
                spawnSync("ln", ["-s", existsSync("/usr/bin/busybox") ? "/usr/bin/busybox" : "/bin/busybox", join(bin, "awk")]);
                pathEnv = `${bin}:${pathEnv}`;
            }
            const args = shell === "busybox" ? ["sh", "-c", script] : ["-c", script];
            const result = spawnSync(shell, args, { env: { PATH: pathEnv, ...values }, encoding: "utf8" });
            expect(result.stderr).toBe("");
            expect(result.stdout).toBe("started\n");
            const config = parse(readFileSync(renderedPath, "utf8"));
            expect(config.consumers[1].keyauth_credentials[0].key).toBe(values.SUPABASE_ANON_KEY);
            expect(config.consumers[2].keyauth_credentials[0].key).toBe(values.SUPABASE_SERVICE_KEY);
            expect(config.basicauth_credentials[0]).toStrictEqual({ consumer: "DASHBOARD", username: values.DASHBOARD_USERNAME, password: values.DASHBOARD_PASSWORD });
            // The regex path's end anchor is not a placeholder: it survives the expansion as it is.
            expect(config.services.find((service: { name: string }) => service.name === "rest-v1-openapi").routes[0].paths).toEqual(["/rest/v1/$"]);
            // It holds the keys: readable by the user that made it (kong) alone, whatever the caller's umask.
            expect(statSync(renderedPath).mode & 0o777).toBe(0o600);
        });
    }

    it("refuses to start Kong when a placeholder's variable is empty", () => {
        const dir = mkdtempSync(join(scratch, "empty-"));
        const templatePath = join(dir, "temp.yml");
        writeFileSync(templatePath, render("acme", true).kongDeclarativeConfigTemplate.content);
        const script = kongExpandTemplateScript({ templatePath, renderedPath: join(dir, "kong.yml") }, "echo started");
        const result = spawnSync("sh", ["-c", script], { env: { PATH: process.env.PATH, ...values, DASHBOARD_PASSWORD: "" }, encoding: "utf8" });
        expect(result.status).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toBe("kong: environment variable DASHBOARD_PASSWORD is empty or unset\n");
    });

    it("the entrypoint expands into the rendered path, then starts Kong with the image's entrypoint", () => {
        const kong2 = kongEntrypoint(RELEASES["feb-2026"]);
        expect(kong2.slice(0, 2)).toEqual(["sh", "-c"]);
        expect(kong2[2]).toContain("' /etc/kong/supabase-fleet/kong.yml.template > /home/kong/kong.yml\nexec /docker-entrypoint.sh kong docker-start\n");
        // kong/kong 3.x: its entrypoint is /entrypoint.sh and the config lives under its prefix.
        expect(kongEntrypoint(RELEASES["0.8.2"])[2]).toContain("' /etc/kong/supabase-fleet/kong.yml.template > /home/kong/kong.yml\nexec /entrypoint.sh kong docker-start\n");
    });
});
