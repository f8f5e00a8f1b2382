/**
 * A tenant behind the host's edge proxy needs the host stack (the edge network and proxy) first.
 * Before anything of the tenant is created, this checks that the edge network is on the tenant's
 * Docker host, and stops the update with a message saying how to get it there.
 */
import * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { dockerCliEnvironment } from "./config/dockerHost.js";
import { EDGE_NETWORK_NAME } from "./hostServices/catalog.js";

/** Short, since Pulumi's error quotes the command before its stderr; the message travels in the environment. */
export const EDGE_CHECK_SCRIPT = 'docker network inspect "$EDGE_NETWORK" >/dev/null 2>&1 || { echo "$MISSING_HOST_STACK" >&2; exit 1; }';

export function missingHostStackMessage(ref: string, dockerHost: string): string {
    return `supabase-fleet: tenant ${ref} is routed through the edge proxy of its Docker host (${dockerHost}), but that host has no edge network ${EDGE_NETWORK_NAME}: its host stack is missing; fleet sync --up deploys it before the tenants. Nothing of ${ref} was created.`;
}

export interface EdgeGuardArgs {
    readonly ref: string;
    readonly dockerHost: string;
    readonly dockerTlsCertPath?: string;
}

export function createEdgeGuard(name: string, args: EdgeGuardArgs, options: pulumi.CustomResourceOptions): command.local.Command {
    const environment = { ...dockerCliEnvironment(args.dockerHost, args.dockerTlsCertPath), EDGE_NETWORK: EDGE_NETWORK_NAME, MISSING_HOST_STACK: missingHostStackMessage(args.ref, args.dockerHost) };
    return new command.local.Command(name, { create: EDGE_CHECK_SCRIPT, interpreter: ["/bin/sh", "-c"], environment, triggers: [args.dockerHost] }, options);
}
