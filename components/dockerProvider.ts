/**
 * The Docker provider of one daemon, for a tenant's stack and for a host stack alike: the daemon the
 * setting names, with its TLS client folder for tcp:// hosts.
 */
import * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";

export function dockerProviderFor(name: string, dockerHost: string, tlsCertPath: string | undefined, parent: pulumi.Resource): docker.Provider {
    return new docker.Provider(name, { host: dockerHost, ...(tlsCertPath === undefined ? {} : { certPath: tlsCertPath }) }, { parent });
}
