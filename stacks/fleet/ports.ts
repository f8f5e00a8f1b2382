/**
 * The fleet's view of a Docker daemon: the seam between the fleet layer (stack orchestration) and
 * the Docker-facing code in `stacks/docker/`, which implements it with dockerode. Everything the
 * fleet knows about running containers comes through here, so tests can use an in-memory double.
 * The contract itself is declared once, in `stacks/docker/types.ts`.
 */
import type { TenantDockerHost } from "../docker/types.js";

export type { ContainerState, LogLine, LogOptions, ServiceCommand, ServiceCommandResult, ServiceContainer, ServiceSelection, TenantDockerHost } from "../docker/types.js";

/** A Docker daemon as a stack or a registry host names it; tcp:// hosts also name their TLS folder. */
export interface DockerConnection {
    readonly dockerHost: string;
    readonly dockerTlsCertPath?: string;
}

/** Builds the host object for a Docker endpoint (unix://, ssh://, tcp:// with its TLS folder). */
export type TenantDockerHostFactory = (dockerHost: string, options?: { readonly tlsCertPath?: string }) => TenantDockerHost;
