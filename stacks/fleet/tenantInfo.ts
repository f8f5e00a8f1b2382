/**
 * `fleet info <ref>`: what a developer needs to use a tenant (what `supabase status` prints for a
 * local project), read from the stack's outputs and config. Secret values are replaced by a marker
 * unless asked for; a database URL keeps its shape with only the password hidden.
 */
import type { Fleet } from "./fleet.js";
import { dockerHostOf } from "./fleetConfigs.js";
import { releaseOfStack } from "./stackConfig.js";

export const HIDDEN = "[hidden: --show-secrets]";

export interface TenantInfo {
    readonly ref: string;
    readonly release: string;
    readonly dockerHost: string;
    readonly apiUrl: string;
    readonly studioUrl: string;
    readonly dashboardUsername: string;
    readonly dashboardPassword: string;
    readonly anonKey: string;
    readonly serviceRoleKey: string;
    /** From release 0.8.2 on: the opaque keys (the publishable one is public by design). */
    readonly publishableKey?: string;
    readonly secretKey?: string;
    readonly jwtSecret: string;
    /** Session mode through the pooler, from the Docker host. */
    readonly databaseUrl: string;
    /** Transaction mode through the pooler, from the Docker host. */
    readonly poolerUrl: string;
    /** As containers on the tenant's network reach the db. */
    readonly internalDatabaseUrl: string;
}

/** Each line of the text view: its label and the field it shows. */
const LINES: readonly (readonly [string, keyof TenantInfo])[] = [
    ["API URL", "apiUrl"],
    ["Studio URL", "studioUrl"],
    ["Dashboard user", "dashboardUsername"],
    ["Dashboard password", "dashboardPassword"],
    ["DB URL (session)", "databaseUrl"],
    ["DB URL (transaction)", "poolerUrl"],
    ["DB URL (tenant network)", "internalDatabaseUrl"],
    ["publishable key", "publishableKey"],
    ["secret key", "secretKey"],
    ["anon key", "anonKey"],
    ["service_role key", "serviceRoleKey"],
    ["JWT secret", "jwtSecret"],
    ["Release", "release"],
    ["Docker host", "dockerHost"],
];

export class TenantNotDeployedError extends Error {
    constructor(ref: string) {
        super(`${ref} has no outputs yet: deploy it first with "fleet up ${ref}"`);
        this.name = "TenantNotDeployedError";
    }
}

export async function tenantInfo(fleet: Fleet, ref: string, showSecrets: boolean): Promise<TenantInfo> {
    // Read with secrets so that URLs can be shown with only their password masked; nothing
    // secret leaves this function unless showSecrets is set.
    const [outputs, config] = await Promise.all([fleet.outputs(ref, true), fleet.engine.getConfig(ref)]);
    if (outputs.apiUrl === undefined) throw new TenantNotDeployedError(ref);
    const text = (key: string): string => {
        const value = outputs[key]?.value;
        return typeof value === "string" ? value : "";
    };
    const secret = (key: string): string => (showSecrets || outputs[key]?.secret !== true ? text(key) : HIDDEN);
    const url = (key: string): string => (showSecrets ? text(key) : withoutPassword(text(key)));
    return {
        ref,
        release: typeof outputs.release?.value === "string" ? outputs.release.value : releaseOfStack(config),
        dockerHost: dockerHostOf(config),
        apiUrl: text("apiUrl"),
        studioUrl: text("studioUrl"),
        dashboardUsername: text("dashboardUsername"),
        dashboardPassword: secret("dashboardPassword"),
        anonKey: secret("anonKey"),
        serviceRoleKey: secret("serviceRoleKey"),
        ...(outputs.publishableKey ? { publishableKey: secret("publishableKey"), secretKey: secret("secretKey") } : {}),
        jwtSecret: secret("jwtSecret"),
        databaseUrl: url("postgresSessionUrl"),
        poolerUrl: url("postgresPoolerUrl"),
        internalDatabaseUrl: url("postgresDirectUrl"),
    };
}

/** `scheme://user:password@rest` → `scheme://user:[hidden]@rest`; anything else is hidden whole. */
export function withoutPassword(url: string): string {
    const match = /^([a-z][a-z0-9+.-]*:\/\/[^:/@]+:)[^@]*(@.*)$/i.exec(url);
    return match ? `${match[1]}[hidden]${match[2]}` : url === "" ? "" : HIDDEN;
}

export function renderTenantInfo(info: TenantInfo): string {
    const width = Math.max(...LINES.map(([label]) => label.length));
    const lines = LINES.filter(([, key]) => info[key] !== undefined).map(([label, key]) => `${label.padStart(width)}: ${info[key]}`);
    return `${info.ref}\n${lines.join("\n")}`;
}
