/**
 * SQL the supabase/postgres image runs once, on an empty data directory. Its migrate script runs
 * every `init-scripts/*.sql` as `postgres`, then every `migrations/*.sql` as `supabase_admin`, each with
 * `psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc`, in file-name order. Secrets are read from the
 * db container's environment by psql itself (backticks), so no file holds one.
 */
import type { RenderedFile } from "./index.js";
import { WEBHOOKS_SQL } from "./webhooksSql.js";

export const DB_INIT_ROOT = "/docker-entrypoint-initdb.d";
/** Each directory of init SQL and the database user the image runs its files as. */
export const DB_INIT_DIRECTORIES = {
    initScripts: { path: `${DB_INIT_ROOT}/init-scripts`, runAs: "postgres" },
    migrations: { path: `${DB_INIT_ROOT}/migrations`, runAs: "supabase_admin" },
} as const;
/** Environment variables of the db container the files read. */
export const DB_INIT_ENV = ["POSTGRES_PASSWORD", "JWT_SECRET", "JWT_EXP"] as const;
/** Roles that log in with POSTGRES_PASSWORD once the files ran. */
export const PASSWORD_ROLES = ["authenticator", "pgbouncer", "supabase_auth_admin", "supabase_functions_admin", "supabase_storage_admin"] as const;

const SUPABASE_ADMIN = "supabase_admin";
const INTERNAL_DATABASE = "_supabase";

/**
 * `\set` a psql variable from an environment variable, and stop with a clear error when it is empty.
 * `printf` rather than `echo`: dash's echo rewrites backslash sequences. The check runs in the shell,
 * so the value never travels in a query of its own.
 */
function readEnvironment(variable: string, envName: string, requirement: { readonly positiveInteger?: boolean } = {}): string {
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

const JWT_SQL = [
    HEADER,
    readEnvironment("jwt_secret", "JWT_SECRET"),
    readEnvironment("jwt_exp", "JWT_EXP", { positiveInteger: true }),
    "",
    // The auth schema's helper functions and PostgREST read these database settings.
    `ALTER DATABASE postgres SET "app.settings.jwt_secret" TO :'jwt_secret';`,
    `ALTER DATABASE postgres SET "app.settings.jwt_exp" TO :'jwt_exp';`,
    "",
].join("\n");

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

const REALTIME_SQL = [
    "-- Realtime keeps its own tables here (its DB_AFTER_CONNECT_QUERY sets the search path to it).",
    `CREATE SCHEMA IF NOT EXISTS _realtime AUTHORIZATION ${SUPABASE_ADMIN};`,
    `ALTER SCHEMA _realtime OWNER TO ${SUPABASE_ADMIN};`,
    "",
].join("\n");

const initScript = (name: string, content: string): RenderedFile => ({ path: `${DB_INIT_DIRECTORIES.initScripts.path}/${name}`, content });
const migration = (name: string, content: string): RenderedFile => ({ path: `${DB_INIT_DIRECTORIES.migrations.path}/${name}`, content });

/** In the order the image runs them: init scripts, then migrations, each directory by file name. */
export function renderDbInitScripts(): RenderedFile[] {
    return [
        initScript("98-webhooks.sql", WEBHOOKS_SQL),
        initScript("99-jwt.sql", JWT_SQL),
        initScript("99-roles.sql", ROLES_SQL),
        migration("97-_supabase.sql", INTERNAL_DATABASE_SQL),
        // Kept when analytics is off: the files run only once, and enabling analytics later needs it.
        migration("99-logs.sql", internalSchemaSql("_analytics", "analytics (Logflare)")),
        migration("99-pooler.sql", internalSchemaSql("_supavisor", "the pooler (Supavisor)")),
        migration("99-realtime.sql", REALTIME_SQL),
    ];
}

/** Database user the image runs a rendered file as. */
export function dbInitRunAs(file: RenderedFile): string {
    for (const directory of Object.values(DB_INIT_DIRECTORIES)) {
        if (file.path.startsWith(`${directory.path}/`)) return directory.runAs;
    }
    throw new Error(`${file.path} is not under ${DB_INIT_ROOT}/init-scripts or /migrations`);
}
