/**
 * Guards a tenant's data when its stack is created over volumes that outlived an earlier stack.
 *
 * Data volumes survive `destroy` (see supabaseProject.ts), and Docker hands them back by name to the
 * next stack of the same ref. The db init SQL runs only on an empty data directory, so a database kept
 * that way still has the old role passwords: with a freshly generated password every service would
 * fail to log in. Before the db container is created, this check looks into the data volume and stops
 * the update with a clear message instead. It runs once, when the stack (and so the generated
 * password) is created, and is not declared when the password comes from config.
 */
import * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { dockerCliEnvironment } from "./config/dockerHost.js";

/** Runs a shell in the db image with the data volume mounted read-only at /check and no network; the command follows. */
export const IN_DATA_VOLUME = 'docker run --rm --network none --entrypoint sh -v "$DB_DATA_VOLUME:/check:ro" "$CHECK_IMAGE" -c';

/** Exit code of the check when the volume already holds a database. */
export const EXISTING_DATABASE_EXIT_CODE = 3;

/**
 * The check, as a POSIX shell script for the machine that runs Pulumi. It needs the docker CLI there
 * and reads DOCKER_HOST, DB_DATA_VOLUME, CHECK_IMAGE and REF from its environment. PG_VERSION is the
 * file `initdb` writes first: its presence means the init SQL will not run again.
 */
export function existingDatabaseCheckScript(): string {
    return [
        "set -u",
        `if ${IN_DATA_VOLUME} "test -s /check/PG_VERSION"; then`,
        '  echo "supabase-fleet: volume $DB_DATA_VOLUME already holds a database, created with other credentials than the ones this new stack just generated." >&2',
        '  echo "  To keep it: set supabase-fleet:postgresPassword (and jwtSecret) of stack $REF to the values it was created with, then run the update again." >&2',
        '  echo "  To start empty: remove the volume (docker volume rm $DB_DATA_VOLUME) after backing it up; nothing was changed." >&2',
        `  exit ${EXISTING_DATABASE_EXIT_CODE}`,
        "fi",
    ].join("\n");
}

export interface ExistingDataGuardArgs {
    readonly ref: string;
    readonly dockerHost: string;
    /** tcp:// hosts: the TLS folder the docker CLI verifies the daemon with. */
    readonly dockerTlsCertPath?: string;
    readonly dbDataVolumeName: pulumi.Input<string>;
    /** The db image: already on the host, and it has a shell. */
    readonly checkImage: pulumi.Input<string>;
}

export function createExistingDataGuard(name: string, args: ExistingDataGuardArgs, options: pulumi.CustomResourceOptions): command.local.Command {
    return new command.local.Command(
        name,
        {
            create: existingDatabaseCheckScript(),
            interpreter: ["/bin/sh", "-c"],
            environment: { ...dockerCliEnvironment(args.dockerHost, args.dockerTlsCertPath), DB_DATA_VOLUME: args.dbDataVolumeName, CHECK_IMAGE: args.checkImage, REF: args.ref },
        },
        // Created once with the stack, never replaced: a replacement would run the check again over the
        // database this very stack created (for example after a db image bump).
        { ...options, ignoreChanges: ["create", "interpreter", "environment"] },
    );
}
