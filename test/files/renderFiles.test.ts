import { afterEach, describe, expect, it } from "vitest";
import { SERVICE_NAMES, type ServiceName } from "../../components/catalog.js";
import {
    KONG_DECLARATIVE_CONFIG,
    KONG_TEMPLATE_PLACEHOLDERS,
    MAIN_EDGE_FUNCTION_ENV,
    MAIN_EDGE_FUNCTION_PATH,
    SUPAVISOR_BOOTSTRAP_ENV,
    SUPAVISOR_BOOTSTRAP_PATH,
    VECTOR_CONFIG_PATH,
    dbInitEnv,
    dbInitRunAs,
    kongTemplatePlaceholders,
    renderFiles,
} from "../../components/files/index.js";
import { RELEASES, RELEASE_NAMES } from "../../components/releases.js";
import { allFiles, containerNamesOf, render } from "./fixtures.js";

describe("renderFiles: determinism", () => {
    it("renders the same bytes twice, whatever the order of the container names", () => {
        const first = render("acme", true);
        const names = containerNamesOf("acme");
        const reversed = Object.fromEntries([...SERVICE_NAMES].reverse().map((s) => [s, names[s]])) as Record<ServiceName, string>;
        const second = renderFiles({ ref: "acme", release: RELEASES["feb-2026"], analyticsEnabled: true, containerNames: reversed });
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
        expect(JSON.stringify(render("acme", false))).toBe(JSON.stringify(render("acme", false)));
    });

    it("two tenants' files differ only where a tenant name appears, and only in the vector config", () => {
        const alpha = render("alpha", true);
        const bravo = render("bravo-2", true);
        const alphaFiles = allFiles(alpha);
        const bravoFiles = allFiles(bravo);
        expect(alphaFiles.map((f) => f.path)).toEqual(bravoFiles.map((f) => f.path));
        for (const [index, file] of alphaFiles.entries()) {
            expect(file.content.replaceAll("alpha", "bravo-2")).toBe(bravoFiles[index]!.content);
        }
        const differing = alphaFiles.filter((file, index) => file.content !== bravoFiles[index]!.content).map((f) => f.path);
        expect(differing).toEqual([VECTOR_CONFIG_PATH]);
    });
});

describe("renderFiles: paths and order", () => {
    it("puts every file at its container path", () => {
        const files = render("acme", true);
        expect(files.kongDeclarativeConfigTemplate.path).toBe("/etc/kong/supabase-fleet/kong.yml.template");
        expect(KONG_DECLARATIVE_CONFIG.renderedPath).toBe("/home/kong/kong.yml");
        expect(files.vectorConfig?.path).toBe("/etc/vector/vector.yml");
        expect(files.supavisorBootstrap.path).toBe(SUPAVISOR_BOOTSTRAP_PATH);
        expect(files.mainEdgeFunction.path).toBe("/home/deno/functions/main/index.ts");
        expect(MAIN_EDGE_FUNCTION_PATH).toBe(files.mainEdgeFunction.path);
    });

    it("lists the db init SQL in the order the image runs it: init scripts, then migrations, by file name", () => {
        const files = render("acme", true).dbInitScripts;
        expect(files.map((f) => f.path)).toEqual([
            "/docker-entrypoint-initdb.d/init-scripts/98-webhooks.sql",
            "/docker-entrypoint-initdb.d/init-scripts/99-jwt.sql",
            "/docker-entrypoint-initdb.d/init-scripts/99-roles.sql",
            "/docker-entrypoint-initdb.d/migrations/97-_supabase.sql",
            "/docker-entrypoint-initdb.d/migrations/99-logs.sql",
            "/docker-entrypoint-initdb.d/migrations/99-pooler.sql",
            "/docker-entrypoint-initdb.d/migrations/99-realtime.sql",
        ]);
        expect(files.map(dbInitRunAs)).toEqual(["postgres", "postgres", "postgres", "supabase_admin", "supabase_admin", "supabase_admin", "supabase_admin"]);
        // Within each directory the list is already sorted the way a shell glob sorts these names.
        for (const dir of ["init-scripts", "migrations"]) {
            const names = files.filter((f) => f.path.includes(`/${dir}/`)).map((f) => f.path);
            expect(names).toEqual([...names].sort());
        }
        expect(() => dbInitRunAs({ path: "/docker-entrypoint-initdb.d/other.sql", content: "" })).toThrow(/not under/);
    });
});

describe("renderFiles: no secrets", () => {
    const sample = {
        POSTGRES_PASSWORD: "sample-postgres-password-9f8e7d6c5b4a",
        JWT_SECRET: "sample-jwt-secret-0123456789abcdef0123456789",
        SUPABASE_ANON_KEY: "eyJhbGciOiJIUzI1NiJ9.sample-anon.signature",
        SUPABASE_SERVICE_KEY: "eyJhbGciOiJIUzI1NiJ9.sample-service.signature",
        DASHBOARD_PASSWORD: "sample-dashboard-password-1234",
        LOGFLARE_PUBLIC_ACCESS_TOKEN: "sample-logflare-public-token-abcdef0123456789",
    };
    const saved: Record<string, string | undefined> = {};
    afterEach(() => {
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    });

    it("never contains a secret, even one present in the rendering process's environment", () => {
        for (const [name, value] of Object.entries(sample)) {
            saved[name] = process.env[name];
            process.env[name] = value;
        }
        for (const analytics of [true, false]) {
            for (const file of allFiles(render("acme", analytics))) {
                for (const value of Object.values(sample)) expect(file.content.includes(value), `${file.path} holds ${value}`).toBe(false);
                expect(file.content, file.path).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}/); // no JWT of any kind
            }
        }
    });

    it.each(RELEASE_NAMES)("%s: refers to secrets only through the expected environment variables", (release) => {
        const files = render("acme", true, release);
        const shellStyleRefs = (text: string) => [...new Set([...text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]))].sort();

        const placeholders = kongTemplatePlaceholders(RELEASES[release]);
        expect(shellStyleRefs(files.kongDeclarativeConfigTemplate.content)).toEqual([...placeholders].sort());
        for (const name of KONG_TEMPLATE_PLACEHOLDERS) expect(files.kongDeclarativeConfigTemplate.content).toContain(`'$${name}'`);

        expect(shellStyleRefs(files.vectorConfig!.content)).toEqual(["LOGFLARE_PUBLIC_ACCESS_TOKEN"]);

        const sqlRefs = shellStyleRefs(files.dbInitScripts.map((f) => f.content).join("\n"));
        expect(sqlRefs).toEqual([...dbInitEnv(RELEASES[release])].sort());
        for (const name of dbInitEnv(RELEASES[release])) expect(files.dbInitScripts.map((f) => f.content).join("\n")).toContain(`\`printf '%s' "$${name}"\``);

        const elixirRefs = [...files.supavisorBootstrap.content.matchAll(/_env\.\("([A-Z_]+)"\)/g)].map((m) => m[1]);
        expect([...new Set(elixirRefs)].sort()).toEqual([...SUPAVISOR_BOOTSTRAP_ENV].sort());

        const denoRefs = [...files.mainEdgeFunction.content.matchAll(/Deno\.env\.get\("([A-Z_]+)"\)/g)].map((m) => m[1]);
        expect([...new Set(denoRefs)].sort()).toEqual([...MAIN_EDGE_FUNCTION_ENV]);
    });
});

describe("renderFiles: analytics off", () => {
    it("has no vector config and no analytics, vector or Logflare reference outside the db's _analytics schema", () => {
        const files = render("acme", false);
        expect(files.vectorConfig).toBeUndefined();
        expect("vectorConfig" in files).toBe(false);
        const outsideDb = allFiles(files).filter((f) => !files.dbInitScripts.includes(f));
        for (const file of outsideDb) expect(file.content, file.path).not.toMatch(/analytics|vector|logflare/i);
        // _analytics is still created: init SQL runs only once, so turning analytics on later needs it there.
        const mentions = files.dbInitScripts.filter((f) => /analytics/i.test(f.content)).map((f) => f.path);
        expect(mentions).toEqual(["/docker-entrypoint-initdb.d/migrations/99-logs.sql"]);
    });
});
