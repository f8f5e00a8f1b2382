/**
 * Rotating the Postgres password of a live tenant. The db's init SQL sets role passwords only on an
 * empty data directory, so a new password in config alone would lock every service out. This
 * command runs when the password changes, before the db container (and so every service that uses
 * the password) is replaced: in the running db container it applies the new password to every role
 * that shares it, to the pooler's stored tenant and to analytics' backends, in one transaction. The
 * replacements that follow start each service on the new password; the gateway does not use it and
 * keeps serving. A failed sync changes nothing and stops the update there; the next update runs it
 * again. A retry after it succeeded is harmless: it logs in with the new password and sets it again.
 */
import * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { NEW_PASSWORD_ENV, PASSWORD_SYNC_DATABASE, PASSWORD_SYNC_SQL } from "./files/dbPasswordSql.js";
import { SERVICE_CATALOG } from "./catalog.js";
import { SUPABASE_ADMIN } from "./services/shared.js";

/** Exit code when the db container is not running (a paused tenant): nothing was changed. */
export const DB_NOT_RUNNING_EXIT_CODE = 4;

/**
 * The script, for the machine that runs Pulumi (the docker CLI, DOCKER_HOST, DB_CONTAINER, REF,
 * SYNC_SQL and NEW_PGPASSWORD in its environment). `docker exec -e NAME` passes the password from
 * this environment without it ever being on a command line. Inside, it first logs in with the new
 * password over the network address (where the server checks passwords; loopback may be trusted):
 * when that works the database already uses it (a retry, or a change of this script only) and
 * nothing is done. Otherwise the sync runs over loopback with the container's own password. A
 * stopped db container (a paused tenant) is refused; a missing one leaves nothing to change.
 */
export function passwordSyncScript(): string {
    const psql = `psql -U ${SUPABASE_ADMIN} -d ${PASSWORD_SYNC_DATABASE} --no-psqlrc -X -q`;
    const inContainer = [
        `if PGPASSWORD="$${NEW_PASSWORD_ENV}" ${psql} -h ${SERVICE_CATALOG.db.alias} -At -c "SELECT 1" >/dev/null 2>&1; then echo "supabase-fleet: the database already uses this password"; exit 0; fi`,
        `exec ${psql} -h 127.0.0.1 -v ON_ERROR_STOP=1 -f -`,
    ].join("; ");
    return [
        "set -eu",
        // Not `|| echo missing`: docker prints an empty line for a container it does not find.
        'if ! running=$(docker container inspect -f "{{.State.Running}}" "$DB_CONTAINER" 2>/dev/null); then running=missing; fi',
        // No db container: no live database to change (a first up after a destroy that kept the
        // volumes, where the existing-data guard has the user bring the old password back).
        'if [ "$running" = missing ]; then',
        '  echo "supabase-fleet: $DB_CONTAINER does not exist: no live database to change; the db starts on the passwords its data volume holds"',
        "  exit 0",
        "fi",
        'if [ "$running" != true ]; then',
        '  echo "supabase-fleet: a new Postgres password is applied inside the running database, but $DB_CONTAINER is not running (paused?): resume $REF (fleet resume $REF), then run the update again; nothing was changed." >&2',
        `  exit ${DB_NOT_RUNNING_EXIT_CODE}`,
        "fi",
        `printf '%s' "$SYNC_SQL" | docker exec -i -e ${NEW_PASSWORD_ENV} "$DB_CONTAINER" sh -c '${inContainer}'`,
        `echo "supabase-fleet: the live database of $REF is on the Postgres password of its config"`,
    ].join("\n");
}

export interface PostgresPasswordSyncArgs {
    readonly ref: string;
    readonly dockerHost: string;
    readonly dbContainerName: string;
    /** A Pulumi secret: it stays one in state, as the command's environment. */
    readonly password: pulumi.Input<string>;
}

export function createPostgresPasswordSync(name: string, args: PostgresPasswordSyncArgs, options: pulumi.CustomResourceOptions): command.local.Command {
    return new command.local.Command(
        name,
        {
            // A new stack's database starts on its password; so does an existing one adopting this
            // resource: only a change (the update below) has work to do.
            create: ":",
            update: passwordSyncScript(),
            interpreter: ["/bin/sh", "-c"],
            environment: { DOCKER_HOST: args.dockerHost, DB_CONTAINER: args.dbContainerName, REF: args.ref, SYNC_SQL: PASSWORD_SYNC_SQL, [NEW_PASSWORD_ENV]: args.password },
        },
        options,
    );
}
