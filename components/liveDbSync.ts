/**
 * Secrets the database itself holds, applied to a live tenant. The db's init SQL runs only on an
 * empty data directory, so a new value in config alone would leave the running database on the old
 * one: the Postgres password (every role that shares it, the pooler's stored tenant, analytics'
 * backends) and, before release 0.8.2, the JWT secret in `app.settings.jwt_secret`. Each sync is a
 * command that runs when its value changes, before the db container (and so every service that
 * reads the value) is replaced: in the running db container, one psql script in one transaction. A
 * failed sync changes nothing and stops the update there; the next update runs it again. A retry
 * after it succeeded is harmless: it sets the same value again.
 */
import * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { JWT_SECRET_COPY_REMOVAL_SQL, JWT_SECRET_SYNC_SQL, NEW_JWT_SECRET_ENV, NEW_PASSWORD_ENV, PASSWORD_SYNC_DATABASE, PASSWORD_SYNC_SQL } from "./files/dbSecretSyncSql.js";
import { SERVICE_CATALOG } from "./catalog.js";
import { SUPABASE_ADMIN } from "./services/shared.js";
import { dockerCliEnvironment } from "./config/dockerHost.js";

/** Exit code when the db container is not running (a paused tenant): nothing was changed. */
export const DB_NOT_RUNNING_EXIT_CODE = 4;

interface LiveDbSync {
    /** What changes, for messages: "a new Postgres password". */
    readonly change: string;
    /** The environment variable that carries the new value into the container (never a command line). */
    readonly valueEnv?: string;
    /** A stopped db: refuse the update (a value the services would read), or leave it be (a clean-up). */
    readonly whenStopped: "refuse" | "skip";
    readonly sql: string;
    /** The shell command run in the db container; the SQL is on its stdin. */
    readonly inContainer: string;
    /** What a db started on an existing data volume uses instead, for the message without a db container. */
    readonly volumeHolds: string;
    /** Printed once it is applied. */
    readonly done: string;
}

/** A sync that carries a new value into the database. */
type ValueSync = LiveDbSync & { readonly valueEnv: string };

const psql = (database: string) => `psql -U ${SUPABASE_ADMIN} -d ${database} --no-psqlrc -X -q`;

/**
 * Inside, it first logs in with the new password over the network address (where the server checks
 * passwords; loopback may be trusted): when that works the database already uses it (a retry, or a
 * change of this script only) and nothing is done. Otherwise the sync runs over loopback with the
 * container's own password.
 */
const PASSWORD_SYNC: ValueSync = {
    change: "a new Postgres password",
    valueEnv: NEW_PASSWORD_ENV,
    sql: PASSWORD_SYNC_SQL,
    inContainer: [
        `if PGPASSWORD="$${NEW_PASSWORD_ENV}" ${psql(PASSWORD_SYNC_DATABASE)} -h ${SERVICE_CATALOG.db.alias} -At -c "SELECT 1" >/dev/null 2>&1; then echo "supabase-fleet: the database already uses this password"; exit 0; fi`,
        `exec ${psql(PASSWORD_SYNC_DATABASE)} -h 127.0.0.1 -v ON_ERROR_STOP=1 -f -`,
    ].join("; "),
    whenStopped: "refuse",
    volumeHolds: "the passwords its data volume holds",
    done: "the live database of $REF is on the Postgres password of its config",
};

const JWT_SECRET_SYNC: ValueSync = {
    change: "a new JWT secret",
    valueEnv: NEW_JWT_SECRET_ENV,
    sql: JWT_SECRET_SYNC_SQL,
    inContainer: `exec ${psql("postgres")} -h 127.0.0.1 -v ON_ERROR_STOP=1 -f -`,
    whenStopped: "refuse",
    volumeHolds: "the JWT secret its data volume holds",
    done: "the live database of $REF holds the JWT secret of its config",
};

/**
 * The script, for the machine that runs Pulumi (the docker CLI, DOCKER_HOST, DB_CONTAINER, REF,
 * SYNC_SQL and the value's variable in its environment). `docker exec -e NAME` passes the value from
 * this environment without it ever being on a command line. A stopped db container (a paused
 * tenant) is refused; a missing one leaves nothing to change.
 */
function liveDbSyncScript(sync: LiveDbSync): string {
    return [
        "set -eu",
        // Not `|| echo missing`: docker prints an empty line for a container it does not find.
        'if ! running=$(docker container inspect -f "{{.State.Running}}" "$DB_CONTAINER" 2>/dev/null); then running=missing; fi',
        // No db container: no live database to change (a first up after a destroy that kept the
        // volumes, where the existing-data guard has the user bring the old values back).
        'if [ "$running" = missing ]; then',
        `  echo "supabase-fleet: $DB_CONTAINER does not exist: no live database to change; the db starts on ${sync.volumeHolds}"`,
        "  exit 0",
        "fi",
        'if [ "$running" != true ]; then',
        ...(sync.whenStopped === "refuse"
            ? [
                  `  echo "supabase-fleet: ${sync.change} is applied inside the running database, but $DB_CONTAINER is not running (paused?): resume $REF (fleet resume $REF), then run the update again; nothing was changed." >&2`,
                  `  exit ${DB_NOT_RUNNING_EXIT_CODE}`,
              ]
            : [`  echo "supabase-fleet: $DB_CONTAINER is not running (paused?): ${sync.change} is left undone"`, "  exit 0"]),
        "fi",
        `printf '%s' "$SYNC_SQL" | docker exec -i ${sync.valueEnv ? `-e ${sync.valueEnv} ` : ""}"$DB_CONTAINER" sh -c '${sync.inContainer}'`,
        `echo "supabase-fleet: ${sync.done}"`,
    ].join("\n");
}

/**
 * From 0.8.2 on the database keeps no copy of the JWT secret, but a data directory made by an older
 * release still has the one its init file set. Run once, when the resource is created: on a tenant
 * that moves to 0.8.2, in its running db before that is replaced; on a new tenant there is no db yet.
 */
const JWT_SECRET_COPY_REMOVAL: LiveDbSync = {
    change: "the removal of the database's copy of the JWT secret",
    sql: JWT_SECRET_COPY_REMOVAL_SQL,
    inContainer: `exec ${psql("postgres")} -h 127.0.0.1 -v ON_ERROR_STOP=1 -f -`,
    // A paused tenant still updates; the copy stays until an update while it runs removes it.
    whenStopped: "skip",
    volumeHolds: "no copy of the JWT secret unless an older release made its data",
    done: "the live database of $REF holds no copy of the JWT secret",
};

export const passwordSyncScript = (): string => liveDbSyncScript(PASSWORD_SYNC);
export const jwtSecretSyncScript = (): string => liveDbSyncScript(JWT_SECRET_SYNC);
export const jwtSecretCopyRemovalScript = (): string => liveDbSyncScript(JWT_SECRET_COPY_REMOVAL);

export interface LiveDbSyncArgs {
    readonly ref: string;
    readonly dockerHost: string;
    /** tcp:// hosts: the TLS folder the docker CLI verifies the daemon with. */
    readonly dockerTlsCertPath?: string;
    readonly dbContainerName: string;
    /** A Pulumi secret: it stays one in state, as the command's environment. */
    readonly value: pulumi.Input<string>;
}

function createLiveDbSync(name: string, sync: ValueSync, args: LiveDbSyncArgs, options: pulumi.CustomResourceOptions): command.local.Command {
    return new command.local.Command(
        name,
        {
            // A new stack's database starts on its values; so does an existing one adopting this
            // resource: only a change (the update below) has work to do.
            create: ":",
            update: liveDbSyncScript(sync),
            interpreter: ["/bin/sh", "-c"],
            environment: { ...dockerCliEnvironment(args.dockerHost, args.dockerTlsCertPath), DB_CONTAINER: args.dbContainerName, REF: args.ref, SYNC_SQL: sync.sql, [sync.valueEnv]: args.value },
        },
        options,
    );
}

export const createPostgresPasswordSync = (name: string, args: LiveDbSyncArgs, options: pulumi.CustomResourceOptions) => createLiveDbSync(name, PASSWORD_SYNC, args, options);
export const createJwtSecretSync = (name: string, args: LiveDbSyncArgs, options: pulumi.CustomResourceOptions) => createLiveDbSync(name, JWT_SECRET_SYNC, args, options);

/** See JWT_SECRET_COPY_REMOVAL: runs on create only, so every later update leaves it alone. */
export function createJwtSecretCopyRemoval(name: string, args: Omit<LiveDbSyncArgs, "value">, options: pulumi.CustomResourceOptions): command.local.Command {
    return new command.local.Command(
        name,
        {
            create: liveDbSyncScript(JWT_SECRET_COPY_REMOVAL),
            interpreter: ["/bin/sh", "-c"],
            environment: { ...dockerCliEnvironment(args.dockerHost, args.dockerTlsCertPath), DB_CONTAINER: args.dbContainerName, REF: args.ref, SYNC_SQL: JWT_SECRET_COPY_REMOVAL.sql },
        },
        options,
    );
}
