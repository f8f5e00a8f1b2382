/**
 * `fleet move <ref> --to <host>`: a tenant goes to another Docker host with its data and its secrets.
 *
 * Pulumi cannot carry a resource from one daemon to another: a new provider host reads as an update,
 * and every container as unchanged. So the move is a sequence of steps the fleet checks and can undo:
 *   1. a fresh backup;
 *   2. the tenant's containers and network leave the old host, its volumes stay there;
 *   3. the stack forgets its Docker resources, and keeps everything else: the generated secrets
 *      (so the API keys and passwords do not change) and the commands;
 *   4. the stack is switched to the new host (ports allocated there) and deployed: an empty tenant
 *      with the same secrets;
 *   5. the backup is restored into it, every table and file checked, and its gateway asked.
 * The old host's volumes are kept, and recorded in the stack (movedFromHost), until `--confirm`
 * removes them. A failure in steps 2 to 5 puts the tenant back on the old host, on its volumes.
 */
import { PassThrough } from "node:stream";
import { INTERNAL_PORTS, SERVICE_CATALOG } from "../../components/catalog.js";
import { declaredLimits } from "../../components/services/index.js";
import { DB_SERVICE } from "../backup/dbCommands.js";
import { restoreBackup } from "../backup/restore.js";
import type { BackupStore } from "../backup/store.js";
import { backupTenant } from "./backups.js";
import type { SettingValue, StackState, StateResource } from "./engine.js";
import { Fleet, FleetUsageError, type RunContext } from "./fleet.js";
import { dockerConnectionOf, effectivePorts, portClaims, readAllConfigs } from "./fleetConfigs.js";
import { checkFits, hostUse, PlacementError, recordedHost } from "./placement.js";
import { PortAllocator } from "./portAllocator.js";
import type { DockerConnection } from "./ports.js";
import { findTenant, withHostSettings, type FleetHost } from "./registry.js";
import { isPaused, PORT_KEYS, tenantConfigFromStack, type TenantPorts } from "./stackConfig.js";
import { errorFirstLine } from "./table.js";

export interface MovePlan {
    readonly ref: string;
    readonly from: FleetHost;
    readonly to: FleetHost;
    readonly fromPorts: TenantPorts;
    readonly toPorts: TenantPorts;
}

export interface MoveOutcome {
    readonly ref: string;
    readonly from: string;
    readonly to: string;
    readonly backup: string;
    readonly tablesChecked: number;
    /** The old host's volumes of the tenant, kept until `fleet move <ref> --confirm`. */
    readonly keptVolumes: readonly string[];
}

export class MoveFailedError extends Error {
    override readonly name = "MoveFailedError";
}

const connectionOf = (host: FleetHost): DockerConnection => (host.dockerTlsCertPath ? { dockerHost: host.dockerHost, dockerTlsCertPath: host.dockerTlsCertPath } : { dockerHost: host.dockerHost });

/** Every check of a move, before anything changes; a refusal is a usage error naming what to do. */
export async function planMove(fleet: Fleet, ref: string, toName: string): Promise<MovePlan> {
    const registry = fleet.registry;
    if (!registry || registry.hosts.size === 0) throw new FleetUsageError(`fleet move needs the hosts of fleet.yaml: add a hosts: section with both hosts`);
    const to = registry.hosts.get(toName);
    if (!to) throw new FleetUsageError(`--to ${toName}: unknown host (defined: ${[...registry.hosts.keys()].join(", ")})`);
    const stacks = await fleet.engine.listStacks();
    const stack = stacks.find((candidate) => candidate.ref === ref);
    if (!stack) throw new FleetUsageError(`unknown tenant "${ref}": no such stack (fleet list shows the tenants)`);
    if ((stack.resourceCount ?? 0) === 0) throw new FleetUsageError(`${ref} was never deployed: nothing to move; change its host in ${registry.source} and run fleet sync`);
    const configs = await readAllConfigs(fleet.engine, stacks.map((candidate) => candidate.ref));
    const config = configs.get(ref)!;
    if (isPaused(config)) throw new FleetUsageError(`${ref} is paused: a move backs it up from its running database; fleet resume ${ref} first`);
    if (config.movedFromHost !== undefined) throw new FleetUsageError(`${ref} still keeps its volumes on ${config.movedFromHost} from its last move: fleet move ${ref} --confirm removes them first`);
    const from = recordedHost(config, registry.hosts);
    if (!from) throw new FleetUsageError(`${ref} runs on ${dockerConnectionOf(config).dockerHost}, which is no host of ${registry.source}: add that host there first`);
    if (from.name === to.name) throw new FleetUsageError(`${ref} already runs on host ${to.name}`);
    if (from.dockerHost === to.dockerHost) throw new FleetUsageError(`hosts ${from.name} and ${to.name} are the same Docker daemon (${to.dockerHost}): a move needs another daemon`);
    const stated = findTenant(registry, ref)?.host;
    if (stated && stated.name !== to.name) throw new FleetUsageError(`${registry.source} puts ${ref} on host ${stated.name}: set host: ${to.name} there (or leave host out), then move it`);

    const others = new Map([...configs].filter(([other]) => other !== ref));
    try {
        checkFits(ref, declaredLimits(tenantConfigFromStack(ref, config)), to, hostUse(others, registry.hosts));
    } catch (error) {
        if (error instanceof PlacementError) throw new FleetUsageError(error.message);
        throw error;
    }
    const explicit = findTenant(registry, ref)?.explicitPorts ?? {};
    const toPorts = new PortAllocator(portClaims(others, registry)).assign({ ref, host: to, explicit }).ports;

    await fleet.ensureReachable(connectionOf(to));
    const waiting = await fleet.docker(connectionOf(to)).objectsOf(ref);
    const leftovers = [...waiting.containers, ...waiting.networks, ...waiting.volumes];
    if (leftovers.length > 0) {
        throw new FleetUsageError(`host ${to.name} already holds objects of ${ref} (${leftovers.slice(0, 4).join(", ")}${leftovers.length > 4 ? ", …" : ""}), from an earlier tenant of that ref: back them up and remove them first (fleet orphans lists them)`);
    }
    return { ref, from, to, fromPorts: effectivePorts(config), toPorts };
}

/** The lines `fleet move --preview` prints: both hosts, the ports, and what the move does. */
export function describeMove(plan: MovePlan): string[] {
    const ports = (p: TenantPorts) => `${p.kongHttpPort},${p.kongHttpsPort},${p.postgresPort},${p.poolerTransactionPort}`;
    return [
        `${plan.ref}: from host ${plan.from.name} (${plan.from.dockerHost}) to host ${plan.to.name} (${plan.to.dockerHost})`,
        `  ports (kong http,https, postgres, pooler): ${ports(plan.fromPorts)} on ${plan.from.name}, ${ports(plan.toPorts)} on ${plan.to.name}`,
        "  a fresh backup first; the tenant is down from then until its data is restored and checked on the new host",
        `  secrets and API keys stay the same; the volumes on ${plan.from.name} are kept until fleet move ${plan.ref} --confirm`,
        "  writes made after the backup stay in the old volumes only: stop the tenant's clients for the move",
    ];
}

/**
 * The checkpoint without the Docker provider and the resources it manages (references to them are
 * dropped too): the stack forgets them without deleting anything, and keeps every other resource.
 */
export function withoutDockerResources(state: StackState): StackState {
    const resources = state.deployment.resources ?? [];
    const providers = resources.filter((resource) => resource.type === "pulumi:providers:docker").map((resource) => resource.urn);
    const isDocker = (resource: StateResource) =>
        resource.type === "pulumi:providers:docker" || resource.type.startsWith("docker:") || providers.some((urn) => resource.provider?.startsWith(`${urn}::`) === true);
    const dropped = new Set(resources.filter(isDocker).map((resource) => resource.urn));
    const kept = resources
        .filter((resource) => !dropped.has(resource.urn))
        .map((resource) => {
            const copy: Record<string, unknown> = { ...resource };
            if (resource.dependencies) copy.dependencies = resource.dependencies.filter((urn) => !dropped.has(urn));
            if (resource.propertyDependencies) {
                copy.propertyDependencies = Object.fromEntries(Object.entries(resource.propertyDependencies).map(([key, urns]) => [key, urns.filter((urn) => !dropped.has(urn))]));
            }
            if (typeof resource.deletedWith === "string" && dropped.has(resource.deletedWith)) delete copy.deletedWith;
            return copy as StateResource;
        });
    return { ...state, deployment: { ...state.deployment, resources: kept } };
}

/** The settings that put a tenant on a host: its daemon, TLS folder, bind address, name and ports. */
function placementSettings(fleet: Fleet, ref: string, host: FleetHost, ports: TenantPorts, original: Readonly<Record<string, string>>): { set: Record<string, SettingValue>; unset: string[] } {
    const statedBind = findTenant(fleet.registry, ref)?.settings.bindAddress;
    const base: Record<string, SettingValue> = statedBind === undefined ? {} : { bindAddress: statedBind };
    const set = { ...withHostSettings(base, host, true), ...ports } as Record<string, SettingValue>;
    const unset = ["dockerTlsCertPath", "bindAddress"].filter((key) => set[key] === undefined && original[key] !== undefined);
    return { set, unset };
}

/** Moves the tenant as the plan says; see the top of this file. */
export async function moveTenant(fleet: Fleet, store: BackupStore, plan: MovePlan, context: RunContext = {}): Promise<MoveOutcome> {
    const { ref, from, to } = plan;
    const original = await fleet.engine.getConfig(ref);
    const saved = await fleet.engine.exportState(ref);
    const backup = await backupTenant(fleet, store, ref, {}, context);
    const keptVolumes = (await fleet.docker(connectionOf(from)).objectsOf(ref)).volumes;
    let step = `taking ${ref}'s containers off ${from.name}`;
    try {
        await fleet.docker(connectionOf(from)).removeTenantObjects(ref, { volumes: false });
        step = "forgetting its Docker resources";
        await fleet.engine.importState(ref, withoutDockerResources(saved));
        step = `deploying it on ${to.name}`;
        const target = placementSettings(fleet, ref, to, plan.toPorts, original);
        await fleet.engine.setConfig(ref, { ...target.set, movedFromHost: from.name }, []);
        if (target.unset.length) await fleet.engine.removeConfig(ref, target.unset);
        await fleet.up(ref, context);
        step = `restoring backup ${backup.id} on ${to.name}`;
        const opened = await store.open(await store.find(ref, backup.id));
        let tablesChecked: number;
        try {
            const report = await restoreBackup({ host: fleet.docker(connectionOf(to)), ref, entry: opened.entry, folder: opened.folder, onProgress: () => context.onProgress?.({ done: 0 }) });
            const problems = [...report.rowProblems, ...report.fileProblems];
            if (problems.length) throw new Error(`the restored data does not match the backup: ${problems.slice(0, 5).join("; ")}`);
            tablesChecked = report.tablesChecked;
        } finally {
            opened.release();
        }
        step = `asking its gateway on ${to.name}`;
        await checkGateway(fleet, ref, connectionOf(to));
        return { ref, from: from.name, to: to.name, backup: backup.id, tablesChecked, keptVolumes };
    } catch (error) {
        const reason = `${step}: ${errorFirstLine(error)}`;
        try {
            await moveBack(fleet, plan, saved, original);
        } catch (rollback) {
            throw new MoveFailedError(`moving ${ref} to ${to.name} failed (${reason}); putting it back on ${from.name} failed too (${errorFirstLine(rollback)}): its data is in the volumes on ${from.name} and in backup ${backup.id}`);
        }
        throw new MoveFailedError(`moving ${ref} to ${to.name} failed (${reason}); rolled back: it runs on ${from.name} again, on its own volumes (backup ${backup.id})`);
    }
}

/** Undoes a move that failed: the new host's objects go, and the tenant is deployed on the old host, on its kept volumes. */
async function moveBack(fleet: Fleet, plan: MovePlan, saved: StackState, original: Readonly<Record<string, string>>): Promise<void> {
    // The new host holds nothing but copies (the backup's data): its volumes go too, so that a retry finds it clean.
    await fleet.docker(connectionOf(plan.to)).removeTenantObjects(plan.ref, { volumes: true });
    await fleet.engine.importState(plan.ref, withoutDockerResources(saved));
    // Every setting the move wrote goes back to what it was before.
    const written = ["dockerHost", "dockerTlsCertPath", "bindAddress", "fleetHost", ...PORT_KEYS, "movedFromHost"];
    const kept = Object.fromEntries(written.filter((key) => original[key] !== undefined).map((key) => [key, original[key]!]));
    await fleet.engine.setConfig(plan.ref, kept, []);
    await fleet.engine.removeConfig(plan.ref, written.filter((key) => original[key] === undefined));
    // Docker hands the existing volumes back by name: the containers come up on the tenant's own data.
    await fleet.up(plan.ref);
}

/**
 * From inside the tenant's network on its new host, the gateway's auth route with the tenant's anon
 * key: the request path a client takes, through Kong's key check to the auth service.
 */
async function checkGateway(fleet: Fleet, ref: string, connection: DockerConnection): Promise<void> {
    const anonKey = (await fleet.outputs(ref, true)).anonKey?.value;
    if (typeof anonKey !== "string") throw new Error("the stack has no anonKey output");
    const gateway = `${SERVICE_CATALOG.kong.alias}/${INTERNAL_PORTS.kongHttp}`;
    const request = `exec 3<>/dev/tcp/${gateway} && printf 'GET /auth/v1/health HTTP/1.0\\r\\nHost: ${SERVICE_CATALOG.kong.alias}\\r\\napikey: %s\\r\\n\\r\\n' "$FLEET_ANON_KEY" >&3 && cat <&3`;
    const chunks: Buffer[] = [];
    const stdout = new PassThrough().on("data", (chunk: Buffer) => chunks.push(chunk));
    const result = await fleet.docker(connection).exec(ref, DB_SERVICE, { command: ["bash", "-c", request], env: ["LC_ALL=C", `FLEET_ANON_KEY=${anonKey}`], stdout });
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString("utf8"))?.[1] ?? "none";
    if (result.exitCode !== 0 || status !== "200") throw new Error(`the gateway answered /auth/v1/health with HTTP ${status}${result.exitCode !== 0 ? ` (exit ${result.exitCode})` : ""}`);
}

/** `--confirm`: the volumes the last move kept on the old host are removed, and so is the record of them. */
export async function confirmMove(fleet: Fleet, ref: string): Promise<{ ref: string; host: string; removedVolumes: readonly string[] }> {
    const config = await fleet.engine.getConfig(ref);
    const hostName = config.movedFromHost;
    if (hostName === undefined) throw new FleetUsageError(`${ref} keeps no volumes from a move: there is nothing to confirm`);
    const host = fleet.registry?.hosts.get(hostName);
    if (!host) throw new FleetUsageError(`${ref}'s volumes are kept on host ${hostName}, which fleet.yaml no longer defines: add it back to remove them`);
    const removed = await fleet.docker(connectionOf(host)).removeTenantObjects(ref, { volumes: true });
    await fleet.engine.removeConfig(ref, ["movedFromHost"]);
    return { ref, host: hostName, removedVolumes: removed.volumes };
}
