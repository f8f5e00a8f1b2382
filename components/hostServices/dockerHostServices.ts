/**
 * DockerHostServices: what one Docker host runs for all its tenants, in a stack of its own (project
 * supabase-fleet-host, one stack per fleet.yaml host): the edge network every tenant gateway joins
 * and the edge proxy that routes each tenant's hostnames to that tenant's gateway over HTTPS.
 *
 * A route change rewrites only the routes file (a command that validates it with the proxy's own
 * binary first); the proxy watches the file and reloads gracefully, so no tenant's traffic stops.
 */
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerCliEnvironment } from "../config/dockerHost.js";
import { dockerProviderFor } from "../dockerProvider.js";
import { LABELS } from "../catalog.js";
import { renderCaddyfile } from "./caddyfile.js";
import {
    EDGE_DATA_DIR,
    EDGE_DATA_VOLUME,
    EDGE_DNS_TOKEN_ENV,
    EDGE_HTTPS_PORT_IN_CONTAINER,
    EDGE_HTTP_PORT_IN_CONTAINER,
    EDGE_NETWORK_NAME,
    EDGE_PROXY_CONTAINER,
    EDGE_PROXY_IMAGE,
    EDGE_ROUTES_DIR,
    EDGE_ROUTES_FILE,
    EDGE_ROUTES_VOLUME,
    HOST_PROJECT_NAME,
    HOST_SERVICES_LABEL,
} from "./catalog.js";
import type { HostServicesConfig } from "./config.js";

export const DOCKER_HOST_SERVICES_TYPE = `${HOST_PROJECT_NAME}:index:DockerHostServices`;

export interface DockerHostServicesArgs {
    readonly config: HostServicesConfig;
    /** The DNS provider's token, as a Pulumi secret (acmeDnsApiToken). */
    readonly dnsApiToken?: pulumi.Input<string>;
}

export class DockerHostServices extends pulumi.ComponentResource {
    readonly edgeNetworkName: string;
    readonly proxyContainerName: string;
    readonly hostnames: readonly string[];

    constructor(name: string, args: DockerHostServicesArgs, options: pulumi.ComponentResourceOptions = {}) {
        super(DOCKER_HOST_SERVICES_TYPE, name, {}, options);
        const { config } = args;
        const labels = [
            { label: LABELS.managedBy, value: "pulumi" },
            { label: HOST_SERVICES_LABEL, value: config.host },
        ];
        const provider = dockerProviderFor(`${name}-docker`, config.dockerHost, config.dockerTlsCertPath, this);
        const onHost = { parent: this, provider };

        const network = new docker.Network(`${name}-edge-network`, { name: EDGE_NETWORK_NAME, driver: "bridge", labels }, onHost);
        // Certificates, ACME accounts and the internal CA's key outlive the stack: clients trust that CA.
        const data = new docker.Volume(`${name}-edge-data`, { name: EDGE_DATA_VOLUME, labels }, { ...onHost, retainOnDelete: true, ignoreChanges: ["labels"] });
        const routesVolume = new docker.Volume(`${name}-edge-routes`, { name: EDGE_ROUTES_VOLUME, labels }, onHost);
        const imageName = config.proxyImage ?? EDGE_PROXY_IMAGE;
        const image = new docker.RemoteImage(`${name}-edge-image`, { name: imageName, keepLocally: true }, onHost);

        const caddyfile = renderCaddyfile(config);
        // Validated with the proxy's own binary before it replaces the live file (rename: never half-written).
        const writeRoutes = new command.local.Command(
            `${name}-edge-routes-file`,
            {
                create: writeRoutesScript(),
                interpreter: ["/bin/sh", "-c"],
                stdin: caddyfile,
                environment: { ...dockerCliEnvironment(config.dockerHost, config.dockerTlsCertPath), ROUTES_VOLUME: EDGE_ROUTES_VOLUME, PROXY_IMAGE: imageName },
                triggers: [caddyfile, imageName],
            },
            { parent: this, dependsOn: [routesVolume, image] },
        );

        new docker.Container(
            `${name}-edge-proxy`,
            {
                name: EDGE_PROXY_CONTAINER,
                image: image.name,
                command: ["caddy", "run", "--config", EDGE_ROUTES_FILE, "--adapter", "caddyfile", "--watch"],
                envs: args.dnsApiToken === undefined ? [] : [pulumi.interpolate`${EDGE_DNS_TOKEN_ENV}=${args.dnsApiToken}`],
                labels,
                networksAdvanced: [{ name: network.name }],
                ports: [
                    { internal: EDGE_HTTP_PORT_IN_CONTAINER, external: config.httpPort, ip: config.bindAddress, protocol: "tcp" },
                    { internal: EDGE_HTTPS_PORT_IN_CONTAINER, external: config.httpsPort, ip: config.bindAddress, protocol: "tcp" },
                ],
                volumes: [
                    { volumeName: data.name, containerPath: EDGE_DATA_DIR, readOnly: false },
                    { volumeName: routesVolume.name, containerPath: EDGE_ROUTES_DIR, readOnly: true },
                ],
                restart: "unless-stopped",
                memory: config.proxyMemoryMb,
                memorySwap: config.proxyMemoryMb,
                mustRun: true,
            },
            // Not replaced by a route change: only the routes file changes, and the proxy reloads it.
            { ...onHost, dependsOn: [writeRoutes], deleteBeforeReplace: true },
        );

        this.edgeNetworkName = EDGE_NETWORK_NAME;
        this.proxyContainerName = EDGE_PROXY_CONTAINER;
        this.hostnames = config.routes.flatMap((route) => route.hostnames);
        this.registerOutputs(this.stackOutputs(config));
    }

    stackOutputs(config: HostServicesConfig): Record<string, unknown> {
        return {
            host: config.host,
            baseDomain: config.baseDomain,
            tls: config.tls,
            edgeNetworkName: this.edgeNetworkName,
            proxyContainerName: this.proxyContainerName,
            routes: Object.fromEntries(config.routes.map((route) => [route.ref, route.hostnames])),
        };
    }
}

/** Writes stdin to the routes volume once the proxy's binary accepts it (the docker CLI, on the machine that runs Pulumi). */
export function writeRoutesScript(): string {
    return [
        "set -eu",
        'docker run --rm -i --network none -v "$ROUTES_VOLUME:/routes" --entrypoint /bin/sh "$PROXY_IMAGE" -c \\',
        "  'cat > /routes/Caddyfile.next && caddy validate --config /routes/Caddyfile.next --adapter caddyfile >/routes/validate.log 2>&1 " +
            '|| { tail -5 /routes/validate.log >&2; echo "supabase-fleet: the edge proxy refused the rendered routes; the running routes were kept" >&2; exit 1; }; ' +
            "mv /routes/Caddyfile.next /routes/Caddyfile'",
    ].join("\n");
}
