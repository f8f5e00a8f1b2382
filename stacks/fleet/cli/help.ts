/** Help text of `fleet` and of each command: the reference operators read first. */

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
