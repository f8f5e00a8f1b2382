/**
 * SupabaseProject: one complete self-hosted Supabase project on a Docker host.
 *
 * Data flows one way: validated settings → secrets → rendered files → service specs → Docker
 * resources → outputs.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_CATALOG, SERVICE_NAMES, type ServiceName } from "./catalog.js";
import { KEPT_GENERATION, PROJECT_NAME } from "./config/constants.js";
import type { SecretSettingInputs, TenantSettings } from "./config/secrets.js";
import { createTenantContainer } from "./docker/container.js";
import { dockerProviderFor } from "./dockerProvider.js";
import { createEdgeGuard } from "./edgeGuard.js";
import { EDGE_GUARD_SUFFIX } from "./hostServices/catalog.js";
import { createExistingDataGuard } from "./existingDataGuard.js";
import { createPostgresMajorGuard } from "./postgresMajorGuard.js";
import { createJwtSecretCopyRemoval, createJwtSecretSync, createPostgresPasswordSync } from "./liveDbSync.js";
import { renderFiles } from "./files/index.js";
import { tenantLogSocket } from "./files/vectorConfig.js";
import { containerName, dbDataVolumeName, networkName, tenantLabels, volumeName } from "./names.js";
import { isAtLeast, RELEASES, serviceImage, type Release, type ReleaseName } from "./releases.js";
import { createProjectSecrets, type ProjectSecrets } from "./secrets.js";
import { SERVICE_MODULES, enabledServices } from "./services/index.js";
import { keepsPreviousOpaqueKeys } from "./services/shared.js";
import { DATA_VOLUMES, VOLUME_NAMES, type ServiceContext, type VolumeName } from "./services/types.js";

export interface SupabaseProjectArgs {
    /** Validated tenant settings (see `parseTenantConfig` and `splitSecrets`). */
    readonly settings: TenantSettings;
    /** Secrets the user supplied; everything else is generated and kept in state. */
    readonly secrets: SecretSettingInputs;
}

export const SUPABASE_PROJECT_TYPE = `${PROJECT_NAME}:index:SupabaseProject`;

export class SupabaseProject extends pulumi.ComponentResource {
    readonly ref: string;
    /** The named release the tenant runs (components/releases.ts). */
    readonly release: ReleaseName;
    /** Public URL of the API gateway. */
    readonly apiUrl: string;
    /** Studio, behind the gateway's basic auth. */
    readonly studioUrl: string;
    /** Public by design: browsers send it. */
    readonly anonKey: pulumi.Output<string>;
    readonly serviceRoleKey: pulumi.Output<string>;
    readonly jwtSecret: pulumi.Output<string>;
    readonly dashboardUsername: string;
    readonly dashboardPassword: pulumi.Output<string>;
    /** From 0.8.2 on: the opaque keys (the publishable one is public by design) and the key sets, secret. */
    readonly publishableKey?: pulumi.Output<string>;
    readonly secretKey?: pulumi.Output<string>;
    readonly jwtKeys?: pulumi.Output<string>;
    readonly jwtJwks?: pulumi.Output<string>;
    /** Direct connection, for containers on the tenant network. */
    readonly postgresDirectUrl: pulumi.Output<string>;
    /** Through the pooler from the host, session mode (one server connection per client). */
    readonly postgresSessionUrl: pulumi.Output<string>;
    /** Through the pooler from the host, transaction mode. */
    readonly postgresPoolerUrl: pulumi.Output<string>;
    readonly containerNames: Readonly<Partial<Record<ServiceName, string>>>;
    readonly networkName: string;
    readonly volumeNames: Readonly<Record<VolumeName, string>>;
    readonly containers: Readonly<Partial<Record<ServiceName, docker.Container>>>;

    constructor(name: string, args: SupabaseProjectArgs, options: pulumi.ComponentResourceOptions = {}) {
        // No args to super(): they would be stored in state, and they include secrets.
        super(SUPABASE_PROJECT_TYPE, name, {}, options);
        const { settings } = args;
        const ref = settings.ref;
        this.ref = ref;
        const release = RELEASES[settings.release];
        this.release = release.name;
        this.apiUrl = settings.apiUrl ?? (settings.edgeHostname === undefined ? `http://localhost:${settings.kongHttpPort}` : `https://${settings.edgeHostname}`);
        this.studioUrl = this.apiUrl;
        this.dashboardUsername = settings.dashboardUsername;

        // A tcp:// daemon is reached only over TLS that verifies both sides (the rules require the folder).
        const dockerTarget = { dockerHost: settings.dockerHost, ...(settings.dockerTlsCertPath === undefined ? {} : { dockerTlsCertPath: settings.dockerTlsCertPath }) };
        const provider = dockerProviderFor(`${name}-docker`, settings.dockerHost, settings.dockerTlsCertPath, this);
        const inTenant = { parent: this, provider };

        const secrets = createProjectSecrets(name, {
                overrides: args.secrets,
                apiKeyExpiresAt: settings.apiKeyExpiresAt,
                release,
                signing: { generation: settings.signingKeyGeneration, keepPrevious: settings.keepPreviousSigningKey },
                opaque: { generation: settings.opaqueKeyGeneration, keepPrevious: settings.keepPreviousOpaqueKeys },
            }, this);

        // Behind the edge proxy: nothing of the tenant is created while its host has no host stack.
        const edgeGuard = settings.edgeHostname === undefined ? [] : [createEdgeGuard(`${name}${EDGE_GUARD_SUFFIX}`, { ref, ...dockerTarget }, { parent: this })];
        const network = new docker.Network(
            `${name}-network`,
            { name: networkName(ref), driver: "bridge", labels: tenantLabels(ref) },
            { ...inTenant, deleteBeforeReplace: true, dependsOn: edgeGuard },
        );
        const volumes = this.createVolumes(name, settings, { ...inTenant, dependsOn: edgeGuard });

        const services = enabledServices(settings.analyticsEnabled);
        const allContainerNames = Object.fromEntries(SERVICE_NAMES.map((service) => [service, containerName(ref, service)])) as Record<ServiceName, string>;
        const context: ServiceContext = {
            settings,
            release,
            secrets,
            apiUrl: this.apiUrl,
            containerNames: allContainerNames,
            files: renderFiles({ ref, release, analyticsEnabled: settings.analyticsEnabled, containerNames: allContainerNames, previousOpaqueKeys: keepsPreviousOpaqueKeys(settings) }),
        };

        // Images stay on the host on destroy: other tenants on the same host use them.
        const images = new Map<string, docker.RemoteImage>();
        const imageFor = (service: ServiceName) => {
            const reference = serviceImage(release, service, settings[`${service}Image`], settings.dbDataPostgresMajor, settings.gateway);
            let image = images.get(reference);
            if (!image) {
                image = new docker.RemoteImage(`${name}-image-${service}`, { name: reference, keepLocally: true }, inTenant);
                images.set(reference, image);
            }
            return image;
        };

        // Only a generated password can differ from the one an existing database was created with.
        const dataGuard =
            args.secrets.postgresPassword === undefined
                ? createExistingDataGuard(
                      `${name}-db-data-guard`,
                      { ref, ...dockerTarget, dbDataVolumeName: volumes["db-data"].name, checkImage: imageFor("db").name },
                      { parent: this, dependsOn: [volumes["db-data"], imageFor("db")] },
                  )
                : undefined;
        const majorGuard = createPostgresMajorGuard(
            `${name}-db-major-guard`,
            { ref, ...dockerTarget, dbDataVolumeName: volumes["db-data"].name, dbImage: imageFor("db").name, postgresMajor: settings.dbDataPostgresMajor },
            { parent: this, dependsOn: [volumes["db-data"], imageFor("db")] },
        );

        // Before the db (and with it every service that uses the value) is replaced on a new value.
        const liveDb = { ref, ...dockerTarget, dbContainerName: allContainerNames.db };
        const passwordSync = createPostgresPasswordSync(`${name}-db-password-sync`, { ...liveDb, value: secrets.postgresPassword }, { parent: this });
        // From 0.8.2 on the database holds no copy of the JWT secret: one an older release left is removed.
        const jwtSecretSync = isAtLeast(release, "0.8.2")
            ? createJwtSecretCopyRemoval(`${name}-db-jwt-secret-copy-removal`, liveDb, { parent: this })
            : createJwtSecretSync(`${name}-db-jwt-secret-sync`, { ...liveDb, value: secrets.jwtSecret }, { parent: this });

        // With analytics on, every container but vector logs to vector's socket (vector's own lines would loop).
        const logSocket = settings.analyticsEnabled ? tenantLogSocket(settings.logSocketDir, ref).socket : undefined;
        const containers: Partial<Record<ServiceName, docker.Container>> = {};
        // Services are created in start order: a container's health-gated dependencies exist before it.
        for (const service of startOrder(services, release)) {
            const module = SERVICE_MODULES[service];
            containers[service] = createTenantContainer(
                `${name}-${service}`,
                {
                    ref,
                    service,
                    spec: module.define(context),
                    image: imageFor(service),
                    network,
                    volumes,
                    bindAddress: settings.bindAddress,
                    memoryMb: settings[`${service}MemoryMb`],
                    cpus: settings[`${service}Cpus`],
                    paused: settings.paused,
                    healthyFirst: module.dependsOn(release).map((dependency) => containers[dependency]!),
                    ...(logSocket && service !== "vector" ? { logSocket } : {}),
                    ...(service === "db" ? { createdAfter: [...(dataGuard ? [dataGuard] : []), majorGuard, passwordSync, jwtSecretSync] } : {}),
                },
                inTenant,
            );
        }
        this.containers = containers;
        this.containerNames = Object.fromEntries(services.map((service) => [service, allContainerNames[service]]));
        this.networkName = networkName(ref);
        this.volumeNames = Object.fromEntries(VOLUME_NAMES.map((volume) => [volume, volume === "db-data" ? dbDataVolumeName(ref, settings.dbDataGeneration) : volumeName(ref, volume)])) as Record<VolumeName, string>;

        this.anonKey = pulumi.unsecret(secrets.anonKey);
        this.serviceRoleKey = secrets.serviceRoleKey;
        this.jwtSecret = secrets.jwtSecret;
        this.dashboardPassword = secrets.dashboardPassword;
        const keys = secrets.asymmetricKeys;
        if (keys) {
            this.publishableKey = pulumi.unsecret(keys.apply((k) => k.publishableKey));
            this.secretKey = pulumi.secret(keys.apply((k) => k.secretKey));
            this.jwtKeys = pulumi.secret(keys.apply((k) => k.jwtKeys));
            this.jwtJwks = pulumi.secret(keys.apply((k) => k.jwtJwks));
        }
        const urls = connectionUrls(settings, secrets, this.apiUrl);
        this.postgresDirectUrl = urls.direct;
        this.postgresSessionUrl = urls.session;
        this.postgresPoolerUrl = urls.transaction;

        this.registerOutputs(this.stackOutputs());
    }

    /** The outputs of a tenant stack. */
    stackOutputs(): Record<string, unknown> {
        return {
            ref: this.ref,
            release: this.release,
            apiUrl: this.apiUrl,
            studioUrl: this.studioUrl,
            anonKey: this.anonKey,
            serviceRoleKey: this.serviceRoleKey,
            ...(this.publishableKey ? { publishableKey: this.publishableKey, secretKey: this.secretKey, jwtKeys: this.jwtKeys, jwtJwks: this.jwtJwks } : {}),
            jwtSecret: this.jwtSecret,
            dashboardUsername: this.dashboardUsername,
            dashboardPassword: this.dashboardPassword,
            postgresDirectUrl: this.postgresDirectUrl,
            postgresSessionUrl: this.postgresSessionUrl,
            postgresPoolerUrl: this.postgresPoolerUrl,
            containerNames: this.containerNames,
            networkName: this.networkName,
            volumeNames: this.volumeNames,
        };
    }

    private createVolumes(
        name: string,
        settings: TenantSettings,
        inTenant: { parent: pulumi.Resource; provider: docker.Provider; dependsOn: pulumi.Resource[] },
    ): Record<VolumeName, docker.Volume> {
        const volumes = {} as Record<VolumeName, docker.Volume>;
        for (const volume of VOLUME_NAMES) {
            const holdsData = DATA_VOLUMES.includes(volume);
            volumes[volume] = new docker.Volume(
                `${name}-${volume}`,
                { name: volume === "db-data" ? dbDataVolumeName(settings.ref, settings.dbDataGeneration) : volumeName(settings.ref, volume), labels: tenantLabels(settings.ref) },
                {
                    ...inTenant,
                    // Destroy (or a replacement) only forgets a data volume unless the tenant opted into
                    // deleting data; Docker then hands the same volume back to the next create by name.
                    retainOnDelete: holdsData && !settings.deleteDataOnDestroy,
                    // Labels are informational; a label change must never replace (and so possibly
                    // delete) a volume that holds data.
                    ignoreChanges: ["labels"],
                },
            );
        }
        const kept = settings.dbDataKeptGeneration === undefined ? undefined : KEPT_GENERATION.exec(settings.dbDataKeptGeneration);
        if (kept) {
            // The other generation of the db data, kept beside the one in use after fleet upgrade-db (or
            // its rollback) until --confirm: a resource of the stack, so only a destroy with data deletes it.
            new docker.Volume(`${name}-db-data-kept`, { name: dbDataVolumeName(settings.ref, Number(kept[1])), labels: tenantLabels(settings.ref) }, { ...inTenant, retainOnDelete: !settings.deleteDataOnDestroy, ignoreChanges: ["labels"] });
        }
        return volumes;
    }
}

/** Services ordered so that every one comes after the services it waits for. */
export function startOrder(services: readonly ServiceName[], release: Release): ServiceName[] {
    const ordered: ServiceName[] = [];
    const visit = (service: ServiceName, path: readonly ServiceName[]) => {
        if (ordered.includes(service)) return;
        if (path.includes(service)) throw new Error(`start graph has a cycle: ${[...path, service].join(" -> ")}`);
        for (const dependency of SERVICE_MODULES[service].dependsOn(release)) {
            if (!services.includes(dependency)) throw new Error(`${service} waits for ${dependency}, which is not enabled`);
            visit(dependency, [...path, service]);
        }
        ordered.push(service);
    };
    for (const service of services) visit(service, []);
    return ordered;
}

function connectionUrls(settings: TenantSettings, secrets: ProjectSecrets, apiUrl: string) {
    // From the host, the published ports answer on the bind address; a wildcard bind means "any
    // address of this host", for which the API URL's host name is the best guess a client can use.
    const host = settings.bindAddress === "0.0.0.0" || settings.bindAddress === "::" ? new URL(apiUrl).hostname : settings.bindAddress;
    const hostPart = host.includes(":") ? `[${host}]` : host;
    const poolerUser = `postgres.${settings.ref}`;
    return {
        direct: pulumi.secret(pulumi.interpolate`postgresql://postgres:${secrets.postgresPassword}@${SERVICE_CATALOG.db.alias}:5432/postgres`),
        session: pulumi.secret(pulumi.interpolate`postgresql://${poolerUser}:${secrets.postgresPassword}@${hostPart}:${settings.postgresPort}/postgres`),
        transaction: pulumi.secret(
            pulumi.interpolate`postgresql://${poolerUser}:${secrets.postgresPassword}@${hostPart}:${settings.poolerTransactionPort}/postgres`,
        ),
    };
}
