/**
 * Guards a tenant's data directory against a Postgres server of another major version. The release
 * rule (components/config/releaseRules.ts) checks the config; this checks the data itself, before
 * the db container is created or replaced: it runs whenever the db image or the declared major
 * changes, reads PG_VERSION from the data volume with the new image, and stops the update with a
 * clear message when the directory was written by another major. The running db is left untouched.
 */
import * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { IN_DATA_VOLUME } from "./existingDataGuard.js";
import { dockerCliEnvironment } from "./config/dockerHost.js";

/** Exit code of the check when the data directory is of another major. */
export const OTHER_MAJOR_EXIT_CODE = 4;

/**
 * The check, as a POSIX shell script for the machine that runs Pulumi (the docker CLI, DOCKER_HOST,
 * DB_DATA_VOLUME, CHECK_IMAGE, POSTGRES_MAJOR and REF from its environment). An empty volume (a new
 * tenant) has no PG_VERSION and passes.
 */
export function postgresMajorCheckScript(): string {
    return [
        "set -u",
        `if ! found="$(${IN_DATA_VOLUME} "cat /check/PG_VERSION 2>/dev/null || true")"; then`,
        '  echo "supabase-fleet: could not read the Postgres version of volume $DB_DATA_VOLUME with $CHECK_IMAGE; nothing was changed" >&2',
        "  exit 1",
        "fi",
        'if [ -n "$found" ] && [ "$found" != "$POSTGRES_MAJOR" ]; then',
        '  echo "supabase-fleet: volume $DB_DATA_VOLUME holds a Postgres $found data directory, but stack $REF now runs Postgres $POSTGRES_MAJOR ($CHECK_IMAGE); Postgres cannot open it." >&2',
        '  echo "  Set supabase-fleet:release (and dbDataPostgresMajor) back to what the tenant ran, or upgrade its data first; nothing was changed." >&2',
        `  exit ${OTHER_MAJOR_EXIT_CODE}`,
        "fi",
    ].join("\n");
}

export interface PostgresMajorGuardArgs {
    readonly ref: string;
    readonly dockerHost: string;
    /** tcp:// hosts: the TLS folder the docker CLI verifies the daemon with. */
    readonly dockerTlsCertPath?: string;
    readonly dbDataVolumeName: pulumi.Input<string>;
    /** The db image the tenant is about to run: already on the host, and it has a shell. */
    readonly dbImage: pulumi.Input<string>;
    /** The major the data directory must have (the config's dbDataPostgresMajor). */
    readonly postgresMajor: number;
}

export function createPostgresMajorGuard(name: string, args: PostgresMajorGuardArgs, options: pulumi.CustomResourceOptions): command.local.Command {
    const environment = {
        ...dockerCliEnvironment(args.dockerHost, args.dockerTlsCertPath),
        DB_DATA_VOLUME: args.dbDataVolumeName,
        CHECK_IMAGE: args.dbImage,
        POSTGRES_MAJOR: String(args.postgresMajor),
        REF: args.ref,
    };
    // A new db image or major replaces the command, which runs the check again before the db changes.
    return new command.local.Command(name, { create: postgresMajorCheckScript(), interpreter: ["/bin/sh", "-c"], environment, triggers: [args.dbImage, args.postgresMajor] }, options);
}
