/** Help text of `fleet` and of each command: the reference operators read first. */
import { RELEASE_NAMES } from "../../../components/releases.js";

/** The backup commands' target options; one text, so they say the same everywhere. */
function backupTarget(verb: "go" | "are"): string {
    return `  --dir <folder>       Where backups ${verb} (default: $FLEET_BACKUP_DIR, else ./backups)
  --s3 <url>           In an S3 bucket instead: s3://<bucket>[/<prefix>] (default: $FLEET_BACKUP_S3,
                       which wins over $FLEET_BACKUP_DIR), signed with the environment's
                       AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; AWS_REGION, AWS_ENDPOINT_URL_S3`;
}

export interface CommandHelp {
    readonly usage: string;
    readonly summary: string;
    readonly details: string;
    readonly examples: readonly string[];
}

const COMMON_OPTIONS = `Options of every command:
  --registry <file>    Fleet registry (default: ./fleet.yaml, or $FLEET_REGISTRY)
  --json               Machine-readable output on stdout (progress as JSON lines on stderr)
  -h, --help           Help for the command`;

const PARALLEL = "  --parallel <n>       Tenants worked on at once (default 4)";

export const COMMANDS: Readonly<Record<string, CommandHelp>> = {
    sync: {
        usage: "fleet sync [--dry-run] [--up] [--parallel <n>]",
        summary: "Reconcile stacks with fleet.yaml: create missing, update changed, report unlisted",
        details: `Creates a stack for every registry tenant that has none (allocating its host ports), writes
changed settings to existing stacks, and unsets settings the registry no longer states. Stacks
that are not in the registry are reported as "unmanaged" and never deleted.
  --dry-run            Show the plan, change nothing
  --up                 Then run an update on every tenant that was created or changed
${PARALLEL}`,
        examples: ["npm run fleet -- sync --dry-run", "npm run fleet -- sync --up --parallel 8"],
    },
    create: {
        usage: "fleet create <ref> [--host <name>] [--config-only]",
        summary: "Create one tenant: its stack, config and host ports, then deploy it",
        details: `Settings come from the tenant's fleet.yaml entry if it has one, else the defaults. Four host
ports (kongHttpPort, kongHttpsPort, postgresPort, poolerTransactionPort) are allocated from the
host's range, unique on that Docker host, recorded in the stack config and kept for the tenant's
life. If anything before the deployment fails, nothing is left behind; if the deployment fails,
the tenant stays FAILED and "fleet up <ref>" retries it.
  --host <name>        Registry host to place a tenant that is not in fleet.yaml on
  --config-only        Create the stack and config but do not deploy`,
        examples: ["npm run fleet -- create acme", "npm run fleet -- create beta --host edge-1 --config-only"],
    },
    up: {
        usage: "fleet up [<ref>...] [--all] [--parallel <n>]",
        summary: "Deploy (pulumi up) the named tenants or all of them",
        details: `Runs an update per tenant with bounded parallelism and prints a summary. A paused tenant stays
paused: its containers are not started. Ctrl-C cancels the running updates cleanly (a second
Ctrl-C exits at once). Exit code 1 if any tenant failed, was locked or cancelled.
  --all                Every tenant stack in the backend
${PARALLEL}`,
        examples: ["npm run fleet -- up acme beta", "npm run fleet -- up --all --parallel 8 --json"],
    },
    preview: {
        usage: "fleet preview [<ref>...] [--all] [--diff] [--comment <file.md>] [--parallel <n>]",
        summary: "Show what an update would change, per tenant",
        details: `  --all                Every tenant stack
  --diff               List each changing resource with the properties that change
  --comment <file.md>  Also write one Markdown pull-request comment for all the tenants previewed:
                       data-loss risks first, a summary table, then each tenant's changes
${PARALLEL}`,
        examples: ["npm run fleet -- preview acme --diff", "npm run fleet -- preview --all --comment preview.md", "npm run fleet -- preview --all --json"],
    },
    refresh: {
        usage: "fleet refresh [<ref>...] [--all] [--parallel <n>]",
        summary: "Read the real state of the tenants' resources into their stacks",
        details: `  --all                Every tenant stack
${PARALLEL}`,
        examples: ["npm run fleet -- refresh --all"],
    },
    destroy: {
        usage: "fleet destroy <ref> --yes [--delete-data]",
        summary: "Remove a tenant's containers, network and stack; keep its data unless asked",
        details: `Destroys every resource of the tenant, then removes its stack (releasing its ports). Data
volumes (database, storage, functions) are kept and reattached if a tenant of the same ref is
created again on the same host, unless --delete-data is given.
  --yes                Required: confirms the destroy
  --delete-data        Also delete the tenant's data volumes (irreversible)`,
        examples: ["npm run fleet -- destroy acme --yes", "npm run fleet -- destroy old-trial --yes --delete-data"],
    },
    pause: {
        usage: "fleet pause <ref>",
        summary: "Stop every container of a tenant (reverse start order); data is kept",
        details: `Records paused: true in the stack config (so a later "up" does not start it again), then stops
the containers through the Docker API, last-started first. Volumes are untouched.`,
        examples: ["npm run fleet -- pause acme"],
    },
    resume: {
        usage: "fleet resume <ref>",
        summary: "Start a paused tenant's containers in start order",
        details: `Clears paused in the stack config, then starts the containers in start order, each once the
services it depends on are healthy.`,
        examples: ["npm run fleet -- resume acme"],
    },
    status: {
        usage: "fleet status [<ref>...] [--json] [--parallel <n>]",
        summary: "State, URLs and per-service container state of tenants (all by default)",
        details: `States: PROVISIONING (created or being deployed), STARTING (containers waiting for health),
ACTIVE (every container running), PAUSED (paused and stopped), FAILED (last operation failed,
or containers unhealthy, stopped or missing), UNKNOWN (Docker host unreachable).
${PARALLEL}`,
        examples: ["npm run fleet -- status", "npm run fleet -- status acme --json"],
    },
    list: {
        usage: "fleet list [--json]",
        summary: "Tenant stacks and registry entries, without asking Docker",
        details: `REGISTRY is in-registry (stack and fleet.yaml entry), unmanaged (stack only) or not-created
(fleet.yaml entry only: run fleet sync or fleet create).`,
        examples: ["npm run fleet -- list"],
    },
    hosts: {
        usage: "fleet hosts [--json]",
        summary: "Each host's declared capacity, what its tenants' container limits use of it, and its tenants",
        details: `Capacity is hosts.<name>.capacity in fleet.yaml (memoryMb, cpus, tenants). A tenant that fleet.yaml
puts on no host is placed when its stack is created, on the host with the most room left, and stays
there (its stack records fleetHost). Read from the stacks' config; no Docker host is asked. EDGE is the
base domain of a host's edge proxy; an ssh:// host whose key hosts/known_hosts lacks is named below.`,
        examples: ["npm run fleet -- hosts", "npm run fleet -- hosts --json"],
    },
    "trust-host": {
        usage: "fleet trust-host <host> [--fingerprint SHA256:...] [--replace]",
        summary: "Record the SSH host keys of an ssh:// host of fleet.yaml in the fleet's known_hosts",
        details: `Every connection to an ssh:// Docker host (the engine's docker CLI and Docker provider, and the
fleet's own Docker client) checks the host's key against hosts/known_hosts, and only that file: an
unknown or changed key stops the connection, and nothing asks. This reads the keys the host offers
now (ssh-keyscan) and records them. Commit hosts/known_hosts: a key change then shows in review.
  --fingerprint <fp>   Record only if one of the keys has this fingerprint (got from the host out of band)
  --replace            Replace keys already recorded for the host (a reinstalled host); refused without it`,
        examples: ["npm run fleet -- trust-host edge-2 --fingerprint SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"],
    },
    "destroy-host": {
        usage: "fleet destroy-host <host> --yes",
        summary: "Remove the host stack (edge proxy) of a host that fleet.yaml no longer gives an edge: section",
        details: `Refused while fleet.yaml still gives the host an edge: section (sync would deploy it again), or while
a deployed tenant on its Docker host is routed through the proxy: such a tenant publishes no gateway
port, so destroy or move it first. fleet sync lists host stacks without a host as unmanaged. The
proxy container, the edge network and the routes volume go; the data volume with the certificates
and the ACME account is kept on the host.`,
        examples: ["npm run fleet -- destroy-host edge-2 --yes"],
    },
    orphans: {
        usage: "fleet orphans [--json]",
        summary: "Tenants with labelled containers, networks or kept volumes on a Docker host but no stack",
        details: `Asks every Docker host the fleet knows (the registry's hosts, the stacks' hosts, the local
daemon) for objects labelled supabase-fleet.tenant and lists the refs that have no stack: data kept
by a destroy, or a stack removed outside the fleet. It only reports; it removes nothing.`,
        examples: ["npm run fleet -- orphans", "npm run fleet -- orphans --json"],
    },
    outputs: {
        usage: "fleet outputs <ref> [--show-secrets] [--json]",
        summary: "A tenant's stack outputs; secrets are masked unless asked for",
        details: `  --show-secrets       Print secret outputs (API keys) in plain text`,
        examples: ["npm run fleet -- outputs acme", "npm run fleet -- outputs acme --show-secrets --json"],
    },
    info: {
        usage: "fleet info <ref> [--show-secrets] [--json]",
        summary: "How to reach a tenant: API and Studio URLs, database URLs, keys, dashboard user",
        details: `What "supabase status" prints for a local project, from the tenant's stack outputs. The anon key
is public by design and always shown; passwords, the service-role key and the JWT secret are
hidden (database URLs keep their shape with the password hidden) unless --show-secrets is given.
  --show-secrets       Print the secret values in plain text`,
        examples: ["npm run fleet -- info acme", "npm run fleet -- info acme --show-secrets --json"],
    },
    logs: {
        usage: "fleet logs <ref> [<service>] [--since <when>] [--tail <n>] [--follow]",
        summary: "A tenant's container logs through the Docker API of its host",
        details: `Reads the logs of every container of the tenant (or of one service) from the Docker host its
stack records, ssh:// hosts included, merged in time order as "<service> | <line>". With --json,
one JSON object per line: service, stream (stdout/stderr), time, text.
  <service>            One of the services: db, kong, auth, rest, realtime, storage, ...
  --since <when>       Lines written since: 30s, 10m, 2h, 1d, a date (2026-12-01T08:00:00Z) or Unix seconds
  --tail <n>           The last n lines of each container (default: all)
  -f, --follow         Keep printing new lines until Ctrl-C`,
        examples: ["npm run fleet -- logs acme auth --since 10m", "npm run fleet -- logs acme --tail 50 --follow"],
    },
    backup: {
        usage: "fleet backup [<ref>...] [--all] [--dir <folder> | --s3 <url>] [--keep <n>] [--max-age <days>] [--parallel <n>]",
        summary: "Back up tenants: roles, every database, and the data volumes, with a manifest",
        details: `Runs pg_dumpall --globals-only and pg_dump -Fc per database inside each tenant's own db container
(no database port is used), and copies the storage, functions, db-config (the pgsodium root key)
and Studio volumes through the Docker API. Each backup is <dir>/<ref>/<id>/ (or those keys in the
bucket) with a manifest of sizes and SHA-256 sums, written last; folders are 0700 and files 0600:
they hold every row and the role password hashes. Retention runs after a successful backup; the newest backup always stays.
  --all                Every tenant stack
${backupTarget("go")}
  --keep <n>           Keep the newest n backups of each tenant
  --max-age <days>     Remove backups older than this (30 or 30d)
${PARALLEL}`,
        examples: ["npm run fleet -- backup acme", "npm run fleet -- backup --all --keep 14 --max-age 30"],
    },
    backups: {
        usage: "fleet backups <ref> [--dir <folder> | --s3 <url>]",
        summary: "List a tenant's complete backups, newest first, with sizes and ages",
        details: `${backupTarget("are")}`,
        examples: ["npm run fleet -- backups acme", "npm run fleet -- backups acme --json"],
    },
    restore: {
        usage: "fleet restore <ref> --from <id|latest> [--into <new-ref> [--host <name>] | --in-place] [--dir <folder> | --s3 <url>]",
        summary: "Restore a backup into a new tenant, or in place into a new data volume, and check every row and file",
        details: `Checks the backup's SHA-256 sums, creates and deploys the new tenant with the backup's release,
then stops it, writes the volumes, restores the roles and databases in its db container, and
starts it in order. The new tenant keeps its own secrets: its services log in with its own
passwords, and the pooler, realtime and analytics rebuild their state from them. Every table is
checked against its dump and every file against the backup; a difference fails the restore
(exit 1) and leaves the tenant for inspection. A restore never writes over an existing tenant:
without --into, <ref> itself must be gone (the disaster case), unless --in-place: then the
running tenant is switched to a new db data volume, deployed, stopped, restored and started the same
way, and its current volume is kept untouched until fleet upgrade-db <ref> --confirm (--rollback
goes back to it). A failure puts it back on its current volume. The backup must be of its release.
  --from <id|latest>   The backup (fleet backups <ref> lists them)
  --into <new-ref>     The tenant to create (default: <ref>, which must not exist)
  --host <name>        Registry host for the new tenant (default: the source's)
  --in-place           Over the live tenant itself, into a new data volume
${backupTarget("are")}`,
        examples: ["npm run fleet -- restore acme --from latest --into acme-copy", "npm run fleet -- restore acme --from 20261203T020000Z", "npm run fleet -- restore acme --from latest --in-place"],
    },
    drill: {
        usage: "fleet drill <ref> [--from <id|latest>] [--host <name>] [--dir <folder> | --s3 <url>]",
        summary: "Prove a backup restores: into a scratch tenant, checked, then removed",
        details: `Restores the backup (default: the latest) into the scratch tenant <ref>-drill, checks the row
count of every table and the SHA-256 of every file, signs in one restored user through auth
(with a throw-away password set in the scratch tenant only), then destroys the scratch tenant
with its data, whatever happened. Exit 1 when the backup does not restore.
  --from <id|latest>   The backup (default: latest)
  --host <name>        Registry host for the scratch tenant (default: the source's)
${backupTarget("are")}`,
        examples: ["npm run fleet -- drill acme", "npm run fleet -- drill acme --from 20261203T020000Z --json"],
    },
    rotate: {
        usage: "fleet rotate <ref> <postgres-password|dashboard-password|jwt-secret|signing-key|api-keys|smtp-password|s3-keys|oauth-secret> [--from-env <VAR>[,<VAR>]] [--provider <name>] [--preview]",
        summary: "Give a tenant a new secret or signing key and apply it, restarting only what reads it",
        details: `Writes a new random value (encrypted) into the tenant's stack config and runs an update. A new
Postgres password is first applied inside the live database, in one transaction: every role
that shares it, the pooler's stored tenant and analytics' backends; then the db and the services
that log in to it restart on it, and the gateway keeps serving. If anything fails, the tenant
keeps working on the old password and "fleet up <ref>" completes the rotation. A secret that
fleet.yaml states is rotated there instead. From then on the value is the stack's own: fleet sync
keeps it. A paused tenant is resumed first.
jwt-secret gives the tenant a new JWT secret: the anon and service-role keys are signed again, every
service that signs or verifies tokens and the gateway restart, and tokens signed with the old secret
are refused from then on (there is no overlap for an HS256 secret); before release 0.8.2 the
database's copy (app.settings.jwt_secret) is changed first. Refused while anonKey or serviceRoleKey
is set in the stack: those would stop working.
signing-key (release 0.8.2 on) moves to the next generation of the ES256 signing key: auth signs
new sessions with it, and the previous public key stays in the key sets (keepPreviousSigningKey)
so sessions signed before keep verifying; set keepPreviousSigningKey to false once they expired.
api-keys (release 0.8.2 on) gives the tenant a new sb_publishable_/sb_secret_ pair; the gateway
still accepts the previous pair (keepPreviousOpaqueKeys) until the clients have moved over.
smtp-password, s3-keys (the access key id and the secret, together) and oauth-secret (one
provider's client secret, --provider) are secrets of other systems: the new value comes from the
environment (--from-env), is checked by the tenant's config rules, written encrypted, and only the
service that reads it restarts (auth; storage for s3-keys).
  --from-env <VAR>     The variable(s) holding the new value (s3-keys: KEY_ID_VAR,SECRET_VAR)
  --provider <name>    The OAuth provider whose client secret is replaced (oauth-secret)
  --preview            Show what would restart, change nothing (the config is put back)`,
        examples: ["npm run fleet -- rotate acme postgres-password --preview", "npm run fleet -- rotate acme postgres-password", "npm run fleet -- rotate acme dashboard-password", "npm run fleet -- rotate acme jwt-secret --preview", "npm run fleet -- rotate nova signing-key", "npm run fleet -- rotate nova api-keys", "NEW_SMTP_PASSWORD=... npm run fleet -- rotate acme smtp-password --from-env NEW_SMTP_PASSWORD", "npm run fleet -- rotate acme oauth-secret --provider github --from-env NEW_GITHUB_SECRET"],
    },
    upgrade: {
        usage: "fleet upgrade <ref>... | --all --release <name> [--canary <n>] [--preview] [--parallel <n>]",
        summary: "Move tenants to another named release in waves, a canary first, and put a failed one back",
        details: `Checks every tenant first and changes nothing when one is refused: a release that fleet.yaml
states otherwise (change it there), a paused tenant, or a release without a db image for the
tenant's Postgres major. The data directory never changes major: 0.8.2 runs a Postgres 15 tenant on
its Postgres 15 image (upstream's pg15 set). --preview shows, per tenant, the db image, what
restarts and the risks of the releases it moves into, and puts the config back. Otherwise the
release is written to the stack and applied: with --canary n, the first n tenants form a wave of
their own and the rest follow only if all of them succeed; in a wave, a failure holds the tenants
that have not started yet. A tenant whose update fails is put back on the release it ran by a
second update. Moving to 0.8.2 from an older release also removes the database's copy of the JWT
secret (app.settings.jwt_secret). fleet sync keeps the new release (it is the stack's own).
  --release <name>     The release to move to (${RELEASE_NAMES.join(", ")})
  --canary <n>         Upgrade the first n tenants alone first
  --preview            Show what each tenant would go through; change nothing
${PARALLEL}`,
        examples: ["npm run fleet -- upgrade acme --release 0.8.2 --preview", "npm run fleet -- upgrade --all --release 0.8.2 --canary 1", "npm run fleet -- upgrade acme nova --release 0.8.2"],
    },
    "upgrade-db": {
        usage: "fleet upgrade-db <ref> [--preview | --rollback | --confirm] [--dir <folder> | --s3 <url>]",
        summary: "Move a tenant's data to the Postgres major of its release, keeping the old volume until --confirm",
        details: `For a tenant whose data directory is older than its release's Postgres (a Postgres 15 tenant
on 0.8.2). Refused, with nothing changed, for a paused tenant, a dbImage override, a volume still
kept from the last upgrade, extensions Postgres 17 lacks (timescaledb, plv8, plcoffee, plls), or
less free disk than twice the data and 5 GiB. Then: a fresh backup (where backups go), the tenant
switched to a new data volume <ref>-db-data-g<n> on the new major (the old one recorded as kept),
deployed, the backup restored into it and every table checked against its dump. A failure puts the
tenant back on its old volume. The old volume is never written; --rollback goes back to it (and
keeps the new one), --confirm removes the one not in use.
  --preview            Show the volumes, the image and the checks; change nothing
  --rollback           Run on the kept volume again, keeping the other (also after restore --in-place)
  --confirm            Remove the kept volume (also after restore --in-place)
${backupTarget("go")}`,
        examples: ["npm run fleet -- upgrade-db acme --preview", "npm run fleet -- upgrade-db acme", "npm run fleet -- upgrade-db acme --rollback", "npm run fleet -- upgrade-db acme --confirm"],
    },
    move: {
        usage: "fleet move <ref> --to <host> [--preview] [--dir <folder> | --s3 <url>] | fleet move <ref> --confirm",
        summary: "Move a deployed tenant to another Docker host with its data, secrets and API keys, keeping the old volumes until --confirm",
        details: `Refused, with nothing changed, for a tenant never deployed or paused, a host that is not in
fleet.yaml or is the same daemon, fleet.yaml stating another host for the tenant, a tenant that does
not fit the new host's capacity, a new host that already holds objects of the ref, or volumes still
kept from the last move. Then: a fresh backup (where backups go); the tenant's containers and network
leave the old host (its volumes stay); the stack forgets its Docker resources but keeps its secrets;
it is deployed on the new host with ports allocated there; the backup is restored and every table
and file checked; and its gateway must answer the auth route with the tenant's anon key. A failure
puts the tenant back on the old host, on its own volumes. The tenant is down from the backup until
the check; writes made after the backup stay in the old volumes only.
  --to <host>          The host of fleet.yaml to move to
  --preview            Show both hosts, the ports and the checks; change nothing
  --confirm            Remove the volumes the last move kept on the old host
${backupTarget("go")}`,
        examples: ["npm run fleet -- move acme --to edge-2 --preview", "npm run fleet -- move acme --to edge-2", "npm run fleet -- move acme --confirm"],
    },
};

export function commandHelp(name: string): string {
    const help = COMMANDS[name]!;
    return `Usage: ${help.usage}\n\n${help.summary}.\n\n${help.details}\n\n${COMMON_OPTIONS}\n\nExamples:\n${help.examples.map((e) => `  ${e}`).join("\n")}\n`;
}

export function mainHelp(): string {
    const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
    const list = Object.entries(COMMANDS)
        .map(([name, help]) => `  ${name.padEnd(width)}  ${help.summary}\n  ${" ".repeat(width)}  ${help.usage}`)
        .join("\n");
    return `fleet: operate many tenant Supabase projects, one Pulumi stack per tenant.

Usage: npm run fleet -- <command> [options]

Commands:
${list}

${COMMON_OPTIONS}

Backend: stacks live in ./.pulumi-state (a local file backend) with a generated passphrase in
.pulumi-state/passphrase, unless PULUMI_BACKEND_URL is set; PULUMI_CONFIG_PASSPHRASE(_FILE) and
PULUMI_SECRETS_PROVIDER are honoured. Exit codes: 0 ok, 1 an operation failed, 2 usage error,
130 interrupted.

"fleet <command> --help" shows a command's options and examples.
`;
}
