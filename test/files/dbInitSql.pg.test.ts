/**
 * Runs the rendered db init SQL on a real PostgreSQL 15 the way the supabase/postgres image does:
 * psql with the image's flags, init scripts as `postgres`, then migrations as `supabase_admin`, in
 * file-name order, secrets only in the environment. Debian has no pg_net: 98-webhooks.sql must stop
 * exactly at its CREATE EXTENSION, and its remainder is then run against a stand-in of pg_net's two
 * request functions.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_NAMES, type ServiceName } from "../../components/catalog.js";
import { DB_INIT_ROOT, PASSWORD_ROLES, dbInitRunAs, renderFiles, type RenderedFile } from "../../components/files/index.js";
import { PG_NET_STATEMENT } from "../../components/files/webhooksSql.js";
import { RELEASES } from "../../components/releases.js";
import { PgCluster, postgresMissingReason } from "./pgCluster.js";

const missing = postgresMissingReason();
const inCi = process.env.CI === "true";
if (missing && !inCi) console.warn(`dbInitSql.pg.test: skipped, ${missing}`);

// Secrets with the characters that break naive quoting: quotes, backslash sequences, $, spaces.
const SECRETS = {
    POSTGRES_PASSWORD: `pa'ss "w\\0rd" $HOME \\n end`,
    JWT_SECRET: `jwt'secret\\t-with-$PATH-and-"quotes"-0123456789`,
    JWT_EXP: "3600",
} as const;

const containerNames = Object.fromEntries(SERVICE_NAMES.map((s) => [s, `pgtest-${s}`])) as Record<ServiceName, string>;
const files = renderFiles({ ref: "pgtest", release: RELEASES["feb-2026"], analyticsEnabled: true, containerNames }).dbInitScripts;
const byName = (name: string): RenderedFile => {
    const file = files.find((f) => basename(f.path) === name);
    if (!file) throw new Error(`no rendered file ${name}`);
    return file;
};

/** What the local db test image runs before the init scripts (the roles and schemas the supabase image creates). */
const TEST_IMAGE_DIR = new URL("../e2e/images/db/", import.meta.url).pathname;
const IMAGE_BOOTSTRAP_FILE = join(TEST_IMAGE_DIR, "image-bootstrap.sql");

/** The test image's stand-in of pg_net's two request functions (Debian does not package pg_net). */
const PG_NET_STAND_IN_SQL = readFileSync(join(TEST_IMAGE_DIR, "pg_net--0.0.sql"), "utf8");

describe.skipIf(missing !== null && !inCi)(`db init SQL on a real PostgreSQL 15${missing ? ` (skipped: ${missing})` : ""}`, () => {
    let cluster: PgCluster | undefined;
    let scriptDir = "";

    const db = (): PgCluster => {
        if (!cluster) throw new Error("no cluster");
        return cluster;
    };
    /** Writes a file where the image would find it (under a scratch copy of DB_INIT_ROOT). */
    const place = (file: RenderedFile, content = file.content): string => {
        const path = join(scriptDir, file.path.slice(DB_INIT_ROOT.length));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
        return path;
    };
    const runAsImage = (file: RenderedFile, env: Record<string, string> = SECRETS, content?: string) =>
        db().psql({ user: dbInitRunAs(file), env }, "-f", place(file, content));

    beforeAll(async () => {
        if (missing) throw new Error(`CI=true but PostgreSQL is missing: ${missing}`);
        cluster = await PgCluster.start("supabase_admin");
        scriptDir = join(cluster.root, "initdb.d");
        const bootstrap = db().psql({ user: "supabase_admin" }, "-v", `pgpass=${SECRETS.POSTGRES_PASSWORD}`, "-f", IMAGE_BOOTSTRAP_FILE);
        if (bootstrap.status !== 0) throw new Error(`image bootstrap failed: ${bootstrap.stderr}`);
    });

    afterAll(() => {
        cluster?.stop();
    });

    it("98-webhooks.sql runs until CREATE EXTENSION pg_net, fails exactly there and leaves nothing behind", () => {
        const webhooks = byName("98-webhooks.sql");
        const result = runAsImage(webhooks);
        const line = webhooks.content.split("\n").indexOf(PG_NET_STATEMENT) + 1;
        expect(line).toBeGreaterThan(0);
        expect(result.status).toBe(3); // psql: a statement of the script failed
        expect(result.stderr).toMatch(new RegExp(`98-webhooks\\.sql:${line}: ERROR:  (extension "pg_net" is not available|could not open extension control file "[^"]*/pg_net\\.control")`));
        expect(result.stderr.match(/ERROR:/g)).toHaveLength(1);
        expect(db().query("supabase_admin", "SELECT count(*) FROM pg_namespace WHERE nspname = 'supabase_functions'")).toBe("0");
    });

    it("the rest of 98-webhooks.sql installs the webhook schema, given pg_net's functions", () => {
        const webhooks = byName("98-webhooks.sql");
        expect(webhooks.content.split(PG_NET_STATEMENT)).toHaveLength(2);
        db().query("supabase_admin", PG_NET_STAND_IN_SQL);
        const result = runAsImage(webhooks, SECRETS, webhooks.content.replace(PG_NET_STATEMENT, "-- pg_net: stand-in created by the test"));
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);

        expect(db().query("supabase_admin", "SELECT version FROM supabase_functions.migrations ORDER BY version")).toBe("20210809183423_update_grants\ninitial");
        expect(
            db().query(
                "supabase_admin",
                "SELECT p.proname, pg_get_userbyid(p.proowner), p.prosecdef FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'supabase_functions'",
            ),
        ).toBe("http_request|supabase_functions_admin|t");
        expect(db().query("supabase_admin", "SELECT tableowner FROM pg_tables WHERE schemaname = 'supabase_functions' ORDER BY tablename")).toBe(
            "supabase_functions_admin\nsupabase_functions_admin",
        );

        // A webhook as Studio creates it: AFTER INSERT, arguments url, method, headers, params, timeout.
        db().query(
            "postgres",
            `CREATE TABLE public.orders (id int PRIMARY KEY, item text);
             CREATE TRIGGER order_created AFTER INSERT ON public.orders FOR EACH ROW
               EXECUTE FUNCTION supabase_functions.http_request('http://functions:9000/notify', 'POST', '{"Content-Type":"application/json"}', '{}', '2500');
             GRANT INSERT ON public.orders TO authenticated;`,
        );
        // An API role fires it: the function runs as its owner, so the role needs no rights on hooks.
        db().query("postgres", "SET ROLE authenticated; INSERT INTO public.orders VALUES (7, 'tea');");
        expect(db().query("supabase_admin", "SELECT method, url, timeout_milliseconds, body->>'type', body->>'table', body->'record'->>'item' FROM net.calls")).toBe(
            "POST|http://functions:9000/notify|2500|INSERT|orders|tea",
        );
        expect(db().query("supabase_admin", "SELECT h.hook_name, h.hook_table_id = 'public.orders'::regclass::oid, h.request_id = c.id FROM supabase_functions.hooks h, net.calls c")).toBe(
            "order_created|t|t",
        );
    });

    it("99-roles.sql and 99-jwt.sql stop with a clear error when a secret is empty or malformed", () => {
        const roles = runAsImage(byName("99-roles.sql"), { ...SECRETS, POSTGRES_PASSWORD: "" });
        expect(roles.status).toBe(3);
        expect(roles.stderr).toContain("environment variable POSTGRES_PASSWORD of the db container must be set");
        const jwt = runAsImage(byName("99-jwt.sql"), { ...SECRETS, JWT_EXP: "1h" });
        expect(jwt.status).toBe(3);
        expect(jwt.stderr).toContain("environment variable JWT_EXP of the db container must be a whole number of seconds");
        // Only postgres has a password, the one the image gives it before the init scripts run.
        expect(db().query("supabase_admin", "SELECT string_agg(rolname, ',') FROM pg_authid WHERE rolpassword IS NOT NULL")).toBe("postgres");
    });

    it("runs every other file in the image's order, as the image's users, without an error", () => {
        const rest = files.filter((f) => basename(f.path) !== "98-webhooks.sql");
        expect(rest.map((f) => `${dbInitRunAs(f)}:${basename(f.path)}`)).toEqual([
            "postgres:99-jwt.sql",
            "postgres:99-roles.sql",
            "supabase_admin:97-_supabase.sql",
            "supabase_admin:99-logs.sql",
            "supabase_admin:99-pooler.sql",
            "supabase_admin:99-realtime.sql",
        ]);
        for (const file of rest) {
            const result = runAsImage(file);
            expect({ file: file.path, status: result.status, stderr: result.stderr }).toEqual({ file: file.path, status: 0, stderr: "" });
        }
    });

    it("every service role logs in over TCP with POSTGRES_PASSWORD, and not with another password", () => {
        for (const role of PASSWORD_ROLES) {
            const ok = db().queryWithPassword(role, SECRETS.POSTGRES_PASSWORD, "SELECT current_user");
            expect({ role, status: ok.status, out: ok.stdout.trim() }).toEqual({ role, status: 0, out: role });
            const wrong = db().queryWithPassword(role, "not-the-password", "SELECT 1");
            expect(wrong.status).toBe(2);
            expect(wrong.stderr).toContain(`password authentication failed for user "${role}"`);
        }
    });

    it("sets app.settings.jwt_secret and jwt_exp on database postgres, exactly", () => {
        const seen = db().queryWithPassword(
            "authenticator",
            SECRETS.POSTGRES_PASSWORD,
            "SELECT current_setting('app.settings.jwt_secret') || '|' || current_setting('app.settings.jwt_exp')",
        );
        expect(seen.status).toBe(0);
        expect(seen.stdout.trim()).toBe(`${SECRETS.JWT_SECRET}|${SECRETS.JWT_EXP}`);
    });

    it("creates _supabase owned by supabase_admin with _analytics and _supavisor, and _realtime in postgres", () => {
        expect(db().query("supabase_admin", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '_supabase'")).toBe("supabase_admin");
        expect(
            db().query("supabase_admin", "SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname IN ('_analytics', '_supavisor') ORDER BY 1", "_supabase"),
        ).toBe("_analytics|supabase_admin\n_supavisor|supabase_admin");
        expect(db().query("supabase_admin", "SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = '_realtime'")).toBe("_realtime|supabase_admin");
        // Schemas of the internal database stay out of the users' database.
        expect(db().query("supabase_admin", "SELECT count(*) FROM pg_namespace WHERE nspname IN ('_analytics', '_supavisor')")).toBe("0");
    });

    it("the migrations can run a second time without an error", () => {
        for (const file of files.filter((f) => dbInitRunAs(f) === "supabase_admin")) {
            const result = runAsImage(file);
            // NOTICEs ("already exists, skipping") are expected here; errors are not.
            expect({ file: file.path, status: result.status, errors: result.stderr.match(/ERROR:.*/g) }).toEqual({ file: file.path, status: 0, errors: null });
        }
    });
});
