/**
 * The program of a host stack (project supabase-fleet-host): reads and validates the stack's config,
 * then declares one DockerHostServices. A user's mistake stops it before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { HOST_PROJECT_NAME } from "./catalog.js";
import { HostConfigError, parseHostConfig } from "./config.js";
import { DockerHostServices } from "./dockerHostServices.js";

const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret: (fullKey: string) => boolean }).isConfigSecret;

export function hostServicesMain(): Record<string, unknown> {
    const prefix = `${HOST_PROJECT_NAME}:`;
    const raw: Record<string, unknown> = {};
    const foreign: string[] = [];
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (fullKey.startsWith(prefix)) raw[fullKey.slice(prefix.length)] = value;
        else if (!fullKey.startsWith("docker:") && !fullKey.startsWith("pulumi:")) foreign.push(fullKey);
    }
    raw.host ??= pulumi.getStack();
    const encrypted = new Set(Object.keys(raw).filter((key) => isConfigSecret(`${prefix}${key}`)));
    let config;
    try {
        if (foreign.length > 0) throw new HostConfigError(foreign.map((key) => `${key}: is not a setting of a host stack; its settings are ${prefix}<key>`));
        config = parseHostConfig(raw, encrypted);
    } catch (error) {
        if (error instanceof HostConfigError) throw new pulumi.RunError(new HostConfigError(error.problems, `host stack ${pulumi.getStack()}`).message);
        throw error;
    }
    const { acmeDnsApiToken, ...plain } = config;
    const services = new DockerHostServices(`host-${config.host}`, { config: plain, ...(acmeDnsApiToken === undefined ? {} : { dnsApiToken: pulumi.secret(acmeDnsApiToken) }) });
    return services.stackOutputs(plain);
}
