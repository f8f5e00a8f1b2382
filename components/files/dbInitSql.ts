/**
 * SQL the supabase/postgres image runs once, on an empty data directory. Its migrate script runs
 * every `init-scripts/*.sql` as `postgres`, then every `migrations/*.sql` as `supabase_admin`, each with
 * `psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc`, in file-name order. Secrets are read from the
 * db container's environment by psql itself (backticks), so no file holds one.
 */
import { isAtLeast, type Release } from "../releases.js";
import type { RenderedFile } from "./index.js";
import { WEBHOOKS_SQL } from "./webhooksSql.js";

export const DB_INIT_ROOT = "/docker-entrypoint-initdb.d";
/** Each directory of init SQL and the database user the image runs its files as. */
export const DB_INIT_DIRECTORIES = {
    initScripts: { path: `${DB_INIT_ROOT}/init-scripts`, runAs: "postgres" },
    migrations: { path: `${DB_INIT_ROOT}/migrations`, runAs: "supabase_admin" },
} as const;
/** Environment variables of the db container the files of a release read. */
export function dbInitEnv(release: Release): readonly string[] {
    return isAtLeast(release, "0.8.2") ? ["POSTGRES_PASSWORD", "JWT_EXP"] : ["POSTGRES_PASSWORD", "JWT_SECRET", "JWT_EXP"];
}
/** Roles that log in with POSTGRES_PASSWORD once the files ran. */
export const PASSWORD_ROLES = ["authenticator", "pgbouncer", "supabase_auth_admin", "supabase_functions_admin", "supabase_storage_admin"] as const;

const SUPABASE_ADMIN = "supabase_admin";
const INTERNAL_DATABASE = "_supabase";

/**
 * Schemas where platform services keep state of their own, credentials included (the pooler's
 * tenant, realtime's tenant, analytics' sources). A restore empties them, and each service builds
 * them again on its next start from the restored tenant's own secrets.
 */
export const SERVICE_STATE_SCHEMAS = {
    analytics: { database: INTERNAL_DATABASE, schema: "_analytics", file: "99-logs.sql" },
    pooler: { database: INTERNAL_DATABASE, schema: "_supavisor", file: "99-pooler.sql" },
    realtime: { database: "postgres", schema: "_realtime", file: "99-realtime.sql" },
} as const;
/** The file that sets the database settings derived from the tenant's secrets; it only sets values, so it can run again. */
export const SECRET_SETTINGS_FILE = "99-jwt.sql";

/**
 * `\set` a psql variable from an environment variable, and stop with a clear error when it is empty.
 * `printf` rather than `echo`: dash's echo rewrites backslash sequences. The check runs in the shell,
 * so the value never travels in a query of its own.
 */
export function readEnvironment(variable: string, envName: string, requirement: { readonly positiveInteger?: boolean } = {}): string {
    const check = requirement.positiveInteger
        ? `case "$${envName}" in ''|0*|*[!0-9]*) echo false;; *) echo true;; esac`
        : `test -n "$${envName}" && echo true || echo false`;
    const what = requirement.positiveInteger ? "a whole number of seconds" : "set";
    return [
        `\\set ${variable} \`printf '%s' "$${envName}"\``,
        `\\set ${variable}_ok \`${check}\``,
        `\\if :${variable}_ok`,
        "\\else",
        `DO $check$ BEGIN RAISE EXCEPTION 'environment variable ${envName} of the db container must be ${what}'; END $check$;`,
        "\\endif",
    ].join("\n");
}

const HEADER = "-- Rendered by supabase-fleet. Secrets come from the db container's environment.";

const ROLES_SQL = [
    HEADER,
    readEnvironment("pgpass", "POSTGRES_PASSWORD"),
    "",
    ...PASSWORD_ROLES.map((role) => `ALTER ROLE ${role} WITH PASSWORD :'pgpass';`),
    "",
].join("\n");

/**
 * Database settings the auth schema's helper functions read. From 0.8.2 on (as upstream) the JWT
 * secret is not one of them: any SQL could read it with current_setting(); SQL that needs it reads it
 * from Vault instead.
 */
function jwtSql(release: Release): string {
    const withSecret = !isAtLeast(release, "0.8.2");
    return [
        HEADER,
        ...(withSecret ? [readEnvironment("jwt_secret", "JWT_SECRET")] : []),
        readEnvironment("jwt_exp", "JWT_EXP", { positiveInteger: true }),
        "",
        ...(withSecret ? [`ALTER DATABASE postgres SET "app.settings.jwt_secret" TO :'jwt_secret';`] : []),
        `ALTER DATABASE postgres SET "app.settings.jwt_exp" TO :'jwt_exp';`,
        "",
    ].join("\n");
}

const INTERNAL_DATABASE_SQL = [
    "-- The platform services' own database, kept apart from the users' data.",
    `SELECT 'CREATE DATABASE ${INTERNAL_DATABASE} WITH OWNER ${SUPABASE_ADMIN}'`,
    `WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '${INTERNAL_DATABASE}')\\gexec`,
    "",
].join("\n");

function internalSchemaSql(schema: string, usedBy: string): string {
    return [
        `-- Schema of ${usedBy}, in the ${INTERNAL_DATABASE} database.`,
        `\\c ${INTERNAL_DATABASE}`,
        `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${SUPABASE_ADMIN};`,
        `ALTER SCHEMA ${schema} OWNER TO ${SUPABASE_ADMIN};`,
        "\\c postgres",
        "",
    ].join("\n");
}

const REALTIME_SCHEMA = SERVICE_STATE_SCHEMAS.realtime.schema;
const REALTIME_SQL = [
    "-- Realtime keeps its own tables here (its DB_AFTER_CONNECT_QUERY sets the search path to it).",
    `CREATE SCHEMA IF NOT EXISTS ${REALTIME_SCHEMA} AUTHORIZATION ${SUPABASE_ADMIN};`,
    `ALTER SCHEMA ${REALTIME_SCHEMA} OWNER TO ${SUPABASE_ADMIN};`,
    "",
].join("\n");

const initScript = (name: string, content: string): RenderedFile => ({ path: `${DB_INIT_DIRECTORIES.initScripts.path}/${name}`, content });
const migration = (name: string, content: string): RenderedFile => ({ path: `${DB_INIT_DIRECTORIES.migrations.path}/${name}`, content });

/** In the order the image runs them: init scripts, then migrations, each directory by file name. */
export function renderDbInitScripts(release: Release): RenderedFile[] {
    return [
        initScript("98-webhooks.sql", WEBHOOKS_SQL),
        initScript(SECRET_SETTINGS_FILE, jwtSql(release)),
        initScript("99-roles.sql", ROLES_SQL),
        migration("97-_supabase.sql", INTERNAL_DATABASE_SQL),
        // Kept when analytics is off: the files run only once, and enabling analytics later needs it.
        migration(SERVICE_STATE_SCHEMAS.analytics.file, internalSchemaSql(SERVICE_STATE_SCHEMAS.analytics.schema, "analytics (Logflare)")),
        migration(SERVICE_STATE_SCHEMAS.pooler.file, internalSchemaSql(SERVICE_STATE_SCHEMAS.pooler.schema, "the pooler (Supavisor)")),
        migration(SERVICE_STATE_SCHEMAS.realtime.file, REALTIME_SQL),
    ];
}

/** Database user the image runs a rendered file as. */
export function dbInitRunAs(file: RenderedFile): string {
    for (const directory of Object.values(DB_INIT_DIRECTORIES)) {
        if (file.path.startsWith(`${directory.path}/`)) return directory.runAs;
    }
    throw new Error(`${file.path} is not under ${DB_INIT_ROOT}/init-scripts or /migrations`);
}
