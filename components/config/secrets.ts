/**
 * The hand-over point between validation and resources: a validated config is split into plain
 * settings (which shape resources and may appear in state) and secret settings, which from here on
 * exist only as Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { OPAQUE_SECRET } from "./constants.js";
import { SECRET_SETTING_KEYS, type TenantConfig } from "./schema.js";

export type SecretSettingKey =
    | "jwtSecret"
    | "anonKey"
    | "serviceRoleKey"
    | "postgresPassword"
    | "dashboardPassword"
    | "smtpPassword"
    | "authOAuthClientSecrets"
    | "s3AccessKeyId"
    | "s3SecretAccessKey"
    | "openaiApiKey";

/** The settings that are not secret: safe to place in resource inputs, names and labels. */
export type TenantSettings = Omit<TenantConfig, SecretSettingKey>;

/** Secret settings a user supplied, each wrapped as a Pulumi secret. Unset ones are absent. */
export interface SecretSettingInputs {
    jwtSecret?: pulumi.Input<string>;
    anonKey?: pulumi.Input<string>;
    serviceRoleKey?: pulumi.Input<string>;
    postgresPassword?: pulumi.Input<string>;
    dashboardPassword?: pulumi.Input<string>;
    smtpPassword?: pulumi.Input<string>;
    /** By provider name: the client secret. */
    oauthClientSecrets?: pulumi.Input<Record<string, string>>;
    s3AccessKeyId?: pulumi.Input<string>;
    s3SecretAccessKey?: pulumi.Input<string>;
    openaiApiKey?: pulumi.Input<string>;
}

export function splitSecrets(config: TenantConfig): { settings: TenantSettings; secretInputs: SecretSettingInputs } {
    const settings: Record<string, unknown> = { ...config };
    for (const key of SECRET_SETTING_KEYS) delete settings[key];

    const secretInputs: SecretSettingInputs = {};
    const wrap = (value: string | undefined) => (value === undefined ? undefined : pulumi.secret(value));
    const assign = <K extends keyof SecretSettingInputs>(key: K, value: SecretSettingInputs[K] | undefined) => {
        if (value !== undefined) secretInputs[key] = value;
    };
    assign("jwtSecret", wrap(config.jwtSecret));
    assign("anonKey", wrap(config.anonKey));
    assign("serviceRoleKey", wrap(config.serviceRoleKey));
    assign("postgresPassword", wrap(config.postgresPassword));
    assign("dashboardPassword", wrap(config.dashboardPassword));
    assign("smtpPassword", wrap(config.smtpPassword));
    assign("s3AccessKeyId", wrap(config.s3AccessKeyId));
    assign("s3SecretAccessKey", wrap(config.s3SecretAccessKey));
    assign("openaiApiKey", wrap(config.openaiApiKey));
    if (config.authOAuthClientSecrets === OPAQUE_SECRET) {
        // Unreadable here (offline plan): every provider's secret is equally opaque.
        const byProvider = Object.fromEntries(config.authOAuthProviders.map((entry) => [entry.split(":")[0]!, OPAQUE_SECRET]));
        secretInputs.oauthClientSecrets = pulumi.secret(byProvider);
    } else if (config.authOAuthClientSecrets !== undefined) {
        const byProvider: Record<string, string> = {};
        for (const entry of config.authOAuthClientSecrets) {
            const separator = entry.indexOf(":");
            byProvider[entry.slice(0, separator)] = entry.slice(separator + 1);
        }
        secretInputs.oauthClientSecrets = pulumi.secret(byProvider);
    }
    return { settings: settings as TenantSettings, secretInputs };
}
