/**
 * The secret-sync scripts on a real PostgreSQL 15, as psql runs them in the db container. The
 * password: every shared role moves to the new password, the pooler's schema is emptied, analytics'
 * postgres backends get the new password in their URL, and a failure part-way changes nothing. The
 * JWT secret (releases before 0.8.2): the database's copy for SQL moves to the new one, unlogged.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JWT_SECRET_SYNC_SQL, NEW_JWT_SECRET_ENV, NEW_PASSWORD_ENV, PASSWORD_SYNC_DATABASE, PASSWORD_SYNC_SQL, SHARED_PASSWORD_ROLES } from "../../components/files/dbSecretSyncSql.js";
import { PgCluster, postgresMissingReason } from "./pgCluster.js";

const missing = postgresMissingReason();
const inCi = process.env.CI === "true";
if (missing && !inCi) console.warn(`dbSecretSyncSql.pg.test: skipped, ${missing}`);

const OLD = "the-old-password-0123456789";
// Every kind of character the config allows (it keeps the password URL-safe: it sits in connection URLs).
const NEW = "New.pass~word_0123-456789";
const IMAGE_BOOTSTRAP_FILE = join(new URL("../e2e/images/db/", import.meta.url).pathname, "image-bootstrap.sql");

describe.skipIf(missing !== null && !inCi)(`the password sync on a real PostgreSQL 15${missing ? ` (skipped: ${missing})` : ""}`, () => {
    let cluster: PgCluster | undefined;
    const db = () => cluster!;
    /** The script on stdin, as the sync runs it: psql with -q, stopping at the first error. */
    const sync = (password: string) => db().psql({ user: "supabase_admin", database: PASSWORD_SYNC_DATABASE, env: { [NEW_PASSWORD_ENV]: password }, input: PASSWORD_SYNC_SQL }, "-q", "-X", "-f", "-");
    const backends = () => db().query("supabase_admin", "SELECT name || ' ' || (config->>'url') FROM _analytics.source_backends ORDER BY name", PASSWORD_SYNC_DATABASE);

    beforeAll(async () => {
        if (missing) throw new Error(`CI=true but PostgreSQL is missing: ${missing}`);
        cluster = await PgCluster.start("supabase_admin");
        const bootstrap = db().psql({ user: "supabase_admin" }, "-v", `pgpass=${OLD}`, "-f", IMAGE_BOOTSTRAP_FILE);
        if (bootstrap.status !== 0) throw new Error(`image bootstrap failed: ${bootstrap.stderr}`);
        // As after the init files: every login role that shares the password has the old one.
        db().query("supabase_admin", `DO $$ DECLARE r record; BEGIN FOR r IN SELECT rolname FROM pg_roles WHERE rolcanlogin AND rolname IN (${SHARED_PASSWORD_ROLES.map((role) => `'${role}'`).join(", ")}) LOOP EXECUTE format('ALTER ROLE %I WITH PASSWORD %L', r.rolname, '${OLD}'); END LOOP; END $$`);
        db().query("supabase_admin", `CREATE DATABASE ${PASSWORD_SYNC_DATABASE}`);
        // A server that logs every statement, and the text of every failed one: the script must turn both off.
        db().query("supabase_admin", "ALTER SYSTEM SET log_statement = 'all'");
        db().query("supabase_admin", "ALTER SYSTEM SET log_min_error_statement = 'error'");
        db().query("supabase_admin", "SELECT pg_reload_conf()");
        db().query(
            "supabase_admin",
            `CREATE SCHEMA _supavisor; CREATE TABLE _supavisor.tenants (external_id text, db_password bytea); INSERT INTO _supavisor.tenants VALUES ('t', 'encrypted-old');
             CREATE SCHEMA _analytics; CREATE TABLE _analytics.source_backends (name text, type text, config jsonb);
             INSERT INTO _analytics.source_backends VALUES
               ('pg', 'postgres', '{"url": "postgresql://supabase_admin:${OLD}@db:5432/postgres", "schema": "_analytics"}'),
               ('other', 'webhook', '{"url": "https://hooks.example.com/x:y@z"}');`,
            PASSWORD_SYNC_DATABASE,
        );
    });

    afterAll(() => cluster?.stop());

    const serverLog = () => readFileSync(join(db().root, "server.log"), "utf8");

    const existingSharedRoles = () => db().query("supabase_admin", `SELECT rolname FROM pg_roles WHERE rolname IN (${SHARED_PASSWORD_ROLES.map((r) => `'${r}'`).join(", ")}) AND rolcanlogin ORDER BY rolname`).split("\n");

    it("a failure part-way changes nothing: the old password still works and the pooler keeps its tenant", () => {
        // Analytics' table refuses updates: the last statement of the transaction fails.
        db().query(
            "supabase_admin",
            `CREATE FUNCTION _analytics.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
             CREATE TRIGGER refuse BEFORE UPDATE ON _analytics.source_backends FOR EACH ROW EXECUTE FUNCTION _analytics.refuse();`,
            PASSWORD_SYNC_DATABASE,
        );
        const result = sync(NEW);
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain("refused by the test");
        expect(result.stderr).not.toContain(NEW); // terse errors: no statement text
        expect(serverLog()).toContain("refused by the test");
        expect(serverLog()).not.toContain(NEW);
        db().query("supabase_admin", "DROP TRIGGER refuse ON _analytics.source_backends;", PASSWORD_SYNC_DATABASE);
        for (const role of existingSharedRoles()) expect(db().queryWithPassword(role, OLD, "SELECT current_user").stdout.trim(), role).toBe(role);
        expect(db().query("supabase_admin", "SELECT count(*) FROM _supavisor.tenants", PASSWORD_SYNC_DATABASE)).toBe("1");
    });

    it("moves every shared role to the new password, empties the pooler's schema and rewrites only postgres backends' URLs", () => {
        const result = sync(NEW);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(result.stdout).toBe("");
        const roles = existingSharedRoles();
        expect(roles).toEqual(expect.arrayContaining(["authenticator", "pgbouncer", "supabase_admin", "supabase_auth_admin", "supabase_storage_admin"]));
        for (const role of roles) {
            expect(db().queryWithPassword(role, NEW, "SELECT current_user").stdout.trim(), role).toBe(role);
            expect(db().queryWithPassword(role, OLD, "SELECT 1").stderr, role).toContain("password authentication failed");
        }
        expect(db().query("supabase_admin", "SELECT count(*) FROM pg_namespace WHERE nspname = '_supavisor' AND pg_get_userbyid(nspowner) = 'supabase_admin'", PASSWORD_SYNC_DATABASE)).toBe("1");
        expect(db().query("supabase_admin", "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '_supavisor'", PASSWORD_SYNC_DATABASE)).toBe("0");
        expect(backends()).toBe(`other https://hooks.example.com/x:y@z\npg postgresql://supabase_admin:${NEW}@db:5432/postgres`);
        expect(serverLog()).toContain("log_statement"); // the server logs statements, yet not the script's
        expect(serverLog()).not.toContain(NEW);
        // Running it again (a retry) is harmless.
        expect(sync(NEW).status).toBe(0);
        expect(backends()).toContain(`pg postgresql://supabase_admin:${NEW}@db:5432/postgres`);
    });

    it("refuses an empty new password before changing anything", () => {
        const result = sync("");
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain(`environment variable ${NEW_PASSWORD_ENV} of the db container must be set`);
        expect(db().queryWithPassword("supabase_admin", NEW, "SELECT 1").status).toBe(0);
    });

    it("moves the database's copy of the JWT secret to the new one, without the server logging it", () => {
        const OLD_SECRET = "the-old-jwt-secret-0123456789-0123456789";
        const NEW_SECRET = "the-new-jwt-secret-9876543210-9876543210";
        db().query("supabase_admin", `ALTER DATABASE postgres SET "app.settings.jwt_secret" TO '${OLD_SECRET}'`);
        const syncJwt = (secret: string) => db().psql({ user: "supabase_admin", database: "postgres", env: { [NEW_JWT_SECRET_ENV]: secret }, input: JWT_SECRET_SYNC_SQL }, "-q", "-X", "-v", "ON_ERROR_STOP=1", "-f", "-");
        const result = syncJwt(NEW_SECRET);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        // A new session reads the database's setting.
        expect(db().query("supabase_admin", "SELECT current_setting('app.settings.jwt_secret')")).toBe(NEW_SECRET);
        expect(serverLog()).not.toContain(NEW_SECRET);
        const empty = syncJwt("");
        expect(empty.status).not.toBe(0);
        expect(empty.stderr).toContain(`environment variable ${NEW_JWT_SECRET_ENV} of the db container must be set`);
        expect(db().query("supabase_admin", "SELECT current_setting('app.settings.jwt_secret')")).toBe(NEW_SECRET);
    });
});
