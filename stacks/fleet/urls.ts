/**
 * The URLs `fleet status` prints for a tenant. Non-secret stack outputs of the same name win; else they
 * are derived from config: Kong serves the API and (behind basic auth) Studio on kongHttpPort, and the
 * pooler serves Postgres on postgresPort for the user `postgres.<ref>`.
 */
import type { StackOutput } from "./engine.js";
import type { TenantPorts } from "./stackConfig.js";

export interface TenantUrls {
    readonly api: string;
    readonly studio: string;
    readonly database: string;
}

/** The name clients use for the Docker host: its SSH/TCP host name, or the bind address for a local socket. */
export function publicHostName(dockerHost: string, bindAddress: string | undefined): string {
    const remote = /^(?:ssh|tcp):\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)/.exec(dockerHost);
    if (remote) return remote[1]!;
    if (bindAddress === undefined || bindAddress === "127.0.0.1" || bindAddress === "0.0.0.0" || bindAddress === "::") return "localhost";
    return bindAddress.includes(":") ? `[${bindAddress}]` : bindAddress;
}

export function tenantUrls(
    ref: string,
    config: Readonly<Record<string, string>>,
    ports: TenantPorts,
    dockerHost: string,
    outputs: Readonly<Record<string, StackOutput>>,
): TenantUrls {
    const plainOutput = (name: string) => {
        const output = outputs[name];
        return output && !output.secret && typeof output.value === "string" ? output.value : undefined;
    };
    const host = publicHostName(dockerHost, config.bindAddress);
    const api = plainOutput("apiUrl") ?? config.apiUrl ?? `http://${host}:${ports.kongHttpPort}`;
    return {
        api,
        studio: plainOutput("studioUrl") ?? api,
        database: plainOutput("databaseUrl") ?? `postgresql://postgres.${ref}@${host}:${ports.postgresPort}/postgres`,
    };
}
