/** auth: GoTrue, users and sessions. */
import * as pulumi from "@pulumi/pulumi";
import { INTERNAL_PORTS } from "../catalog.js";
import { isAtLeast } from "../releases.js";
import { asymmetricKeyEnv, boolText, databaseUrl, healthCheck } from "./shared.js";
import type { ServiceContext, ServiceModule } from "./types.js";

/** Every mail link lands on the verify endpoint, which Kong routes to auth without a key. */
const MAILER_VERIFY_PATH = "/auth/v1/verify";
/** Where the gateway publishes auth. */
const AUTH_PATH = "/auth/v1";

/**
 * Auth's public URL (API_EXTERNAL_URL). From 0.8.2 on (upstream 0.7.0) it is auth's own URL behind
 * the gateway, and also the issuer of its tokens; before, it was the gateway's root.
 */
function authExternalUrl(context: ServiceContext): string {
    return isAtLeast(context.release, "0.8.2") ? `${context.apiUrl}${AUTH_PATH}` : context.apiUrl;
}

function smtpEnv(context: ServiceContext): Record<string, pulumi.Input<string>> {
    const { settings, secrets } = context;
    if (settings.smtpHost === undefined) return {};
    return {
        GOTRUE_SMTP_HOST: settings.smtpHost,
        GOTRUE_SMTP_PORT: String(settings.smtpPort),
        ...(settings.smtpUser === undefined ? {} : { GOTRUE_SMTP_USER: settings.smtpUser }),
        ...(secrets.smtpPassword === undefined ? {} : { GOTRUE_SMTP_PASS: secrets.smtpPassword }),
    };
}

function oauthEnv(context: ServiceContext): Record<string, pulumi.Input<string>> {
    const env: Record<string, pulumi.Input<string>> = {};
    for (const entry of context.settings.authOAuthProviders) {
        const separator = entry.indexOf(":");
        const provider = entry.slice(0, separator);
        const prefix = `GOTRUE_EXTERNAL_${provider.toUpperCase()}`;
        env[`${prefix}_ENABLED`] = "true";
        env[`${prefix}_CLIENT_ID`] = entry.slice(separator + 1);
        env[`${prefix}_SECRET`] = pulumi.secret(pulumi.output(context.secrets.oauthClientSecrets).apply((byProvider) => byProvider?.[provider] ?? ""));
        env[`${prefix}_REDIRECT_URI`] = `${context.apiUrl}${AUTH_PATH}/callback`;
    }
    return env;
}

export const auth: ServiceModule = {
    service: "auth",
    dependsOn: () => ["db"], // runs its migrations on start
    define: (context) => {
        const { settings, secrets } = context;
        const externalUrl = authExternalUrl(context);
        return {
            env: {
                GOTRUE_API_HOST: "0.0.0.0",
                GOTRUE_API_PORT: String(INTERNAL_PORTS.auth),
                API_EXTERNAL_URL: externalUrl,
                ...(isAtLeast(context.release, "0.8.2") ? { GOTRUE_JWT_ISSUER: externalUrl } : {}),
                GOTRUE_DB_DRIVER: "postgres",
                GOTRUE_DB_DATABASE_URL: databaseUrl(context, { scheme: "postgres", user: "supabase_auth_admin" }),
                GOTRUE_SITE_URL: settings.siteUrl,
                GOTRUE_URI_ALLOW_LIST: settings.additionalRedirectUrls.join(","),
                GOTRUE_DISABLE_SIGNUP: boolText(settings.authDisableSignup),
                GOTRUE_JWT_ADMIN_ROLES: "service_role",
                GOTRUE_JWT_AUD: "authenticated",
                GOTRUE_JWT_DEFAULT_GROUP_NAME: "authenticated",
                GOTRUE_JWT_EXP: String(settings.jwtExpirySeconds),
                GOTRUE_JWT_SECRET: secrets.jwtSecret,
                // 0.8.2: auth signs with the EC key (and still accepts HS256 tokens of the secret).
                ...asymmetricKeyEnv(context, { GOTRUE_JWT_KEYS: (keys) => keys.jwtKeys }),
                GOTRUE_EXTERNAL_EMAIL_ENABLED: boolText(settings.authEmailEnabled),
                GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED: boolText(settings.authAnonymousUsersEnabled),
                GOTRUE_MAILER_AUTOCONFIRM: boolText(settings.authEmailAutoconfirm),
                GOTRUE_SMTP_ADMIN_EMAIL: settings.smtpAdminEmail,
                GOTRUE_SMTP_SENDER_NAME: settings.smtpSenderName,
                GOTRUE_MAILER_URLPATHS_INVITE: MAILER_VERIFY_PATH,
                GOTRUE_MAILER_URLPATHS_CONFIRMATION: MAILER_VERIFY_PATH,
                GOTRUE_MAILER_URLPATHS_RECOVERY: MAILER_VERIFY_PATH,
                GOTRUE_MAILER_URLPATHS_EMAIL_CHANGE: MAILER_VERIFY_PATH,
                GOTRUE_EXTERNAL_PHONE_ENABLED: boolText(settings.authPhoneEnabled),
                GOTRUE_SMS_AUTOCONFIRM: boolText(settings.authPhoneAutoconfirm),
                ...smtpEnv(context),
                ...oauthEnv(context),
            },
            healthcheck: healthCheck(["CMD", "wget", "--no-verbose", "--tries=1", "--spider", `http://localhost:${INTERNAL_PORTS.auth}/health`]),
            volumes: [],
            uploads: [],
            publishedPorts: [],
            waitTimeoutSeconds: 120,
        };
    },
};
