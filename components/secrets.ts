/**
 * Every generated secret of a tenant. Each is a `random` resource, so it is made once and kept in
 * state: a later update never makes a new one. A secret the user supplied in config wins over the
 * generated one. Everything leaving this module is a Pulumi secret.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { signApiKey } from "./apiKeys.js";
import { deriveAsymmetricKeys, type AsymmetricKeys, type KeyRotation } from "./asymmetricKeys.js";
import type { SecretSettingInputs } from "./config/secrets.js";
import { isAtLeast, type Release } from "./releases.js";

export interface ProjectSecrets {
    readonly jwtSecret: pulumi.Output<string>;
    readonly anonKey: pulumi.Output<string>;
    readonly serviceRoleKey: pulumi.Output<string>;
    readonly postgresPassword: pulumi.Output<string>;
    readonly dashboardPassword: pulumi.Output<string>;
    /** realtime and supavisor; 64+ characters. */
    readonly secretKeyBase: pulumi.Output<string>;
    /** supavisor; exactly 32 characters. */
    readonly vaultEncKey: pulumi.Output<string>;
    /** studio and meta; 32+ characters. */
    readonly pgMetaCryptoKey: pulumi.Output<string>;
    readonly logflarePublicAccessToken: pulumi.Output<string>;
    readonly logflarePrivateAccessToken: pulumi.Output<string>;
    /** realtime DB_ENC_KEY; exactly 16 characters. */
    readonly realtimeDbEncKey: pulumi.Output<string>;
    /**
     * Verifies tokens of supavisor's own management and metrics API. Its own, not the tenant's JWT
     * secret: the pooler never needs to check (or be able to forge) a user's or an API key's token.
     */
    readonly poolerApiJwtSecret: pulumi.Output<string>;
    /** Credentials of storage's S3-protocol endpoint. */
    readonly s3ProtocolAccessKeyId: pulumi.Output<string>;
    readonly s3ProtocolAccessKeySecret: pulumi.Output<string>;
    /** From release 0.8.2 on: the ES256 signing key, key sets and opaque keys (components/asymmetricKeys.ts). */
    readonly asymmetricKeys?: pulumi.Output<AsymmetricKeys>;
    // Supplied by the user only (never generated); absent when unset.
    readonly smtpPassword?: pulumi.Output<string>;
    readonly oauthClientSecrets?: pulumi.Output<Record<string, string>>;
    readonly s3AccessKeyId?: pulumi.Output<string>;
    readonly s3SecretAccessKey?: pulumi.Output<string>;
    readonly openaiApiKey?: pulumi.Output<string>;
}

export interface ProjectSecretsArgs {
    readonly overrides: SecretSettingInputs;
    readonly apiKeyExpiresAt: number;
    readonly release: Release;
    readonly signing: KeyRotation;
    readonly opaque: KeyRotation;
}

/** Length and alphabet of every generated secret. URL-safe alphabets: several end up in connection URLs. */
export const GENERATED = {
    jwtSecret: { length: 64 },
    postgresPassword: { length: 32 },
    dashboardPassword: { length: 24 },
    secretKeyBase: { length: 64 },
    vaultEncKey: { length: 32 },
    pgMetaCryptoKey: { length: 32 },
    logflarePublicAccessToken: { length: 40 },
    logflarePrivateAccessToken: { length: 40 },
    realtimeDbEncKey: { length: 16 },
    poolerApiJwtSecret: { length: 64 },
    s3ProtocolAccessKeyId: { length: 32 },
    s3ProtocolAccessKeySecret: { length: 64 },
    // Seeds of the 0.8.2 keys (asymmetricKeys.ts), one per key so each can be rotated alone.
    signingKeySeed: { length: 64 },
    publishableKeySeed: { length: 64 },
    secretKeySeed: { length: 64 },
} as const;

type GeneratedName = keyof typeof GENERATED;

export function createProjectSecrets(name: string, args: ProjectSecretsArgs, parent: pulumi.Resource): ProjectSecrets {
    const generate = (secret: GeneratedName): pulumi.Output<string> => {
        const password = new random.RandomPassword(
            `${name}-${secret}`,
            { length: GENERATED[secret].length, special: false, upper: true, lower: true, numeric: true },
            { parent },
        );
        // Mocks do not honour additionalSecretOutputs, and neither should we rely on it.
        return pulumi.secret(password.result);
    };
    const overridable = (secret: GeneratedName & keyof SecretSettingInputs): pulumi.Output<string> => {
        const override = args.overrides[secret];
        return override === undefined ? generate(secret) : pulumi.secret(pulumi.output(override));
    };

    const jwtSecret = overridable("jwtSecret");
    const signed = (role: "anon" | "service_role") =>
        pulumi.secret(jwtSecret.apply((secret) => signApiKey({ role, jwtSecret: secret, expiresAt: args.apiKeyExpiresAt })));
    const fromOverride = (value: pulumi.Input<string> | undefined, role: "anon" | "service_role") =>
        value === undefined ? signed(role) : pulumi.secret(pulumi.output(value));

    const supplied = <T>(value: pulumi.Input<T> | undefined) => (value === undefined ? undefined : pulumi.secret(pulumi.output(value) as pulumi.Output<T>));
    const optional = {
        smtpPassword: supplied(args.overrides.smtpPassword),
        oauthClientSecrets: supplied(args.overrides.oauthClientSecrets),
        s3AccessKeyId: supplied(args.overrides.s3AccessKeyId),
        s3SecretAccessKey: supplied(args.overrides.s3SecretAccessKey),
        openaiApiKey: supplied(args.overrides.openaiApiKey),
    };

    // Only a release whose images read them gets them: feb-2026's services know no such keys.
    const asymmetricKeys = isAtLeast(args.release, "0.8.2")
        ? pulumi.secret(
              pulumi
                  .all([generate("signingKeySeed"), generate("publishableKeySeed"), generate("secretKeySeed"), jwtSecret])
                  .apply(([signingKeySeed, publishableKeySeed, secretKeySeed, secret]) =>
                      deriveAsymmetricKeys({ seeds: { signingKeySeed, publishableKeySeed, secretKeySeed }, jwtSecret: secret, expiresAt: args.apiKeyExpiresAt, signing: args.signing, opaque: args.opaque }),
                  ),
          )
        : undefined;

    return {
        ...(asymmetricKeys ? { asymmetricKeys } : {}),
        ...(Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)) as Partial<typeof optional>),
        jwtSecret,
        anonKey: fromOverride(args.overrides.anonKey, "anon"),
        serviceRoleKey: fromOverride(args.overrides.serviceRoleKey, "service_role"),
        postgresPassword: overridable("postgresPassword"),
        dashboardPassword: overridable("dashboardPassword"),
        secretKeyBase: generate("secretKeyBase"),
        vaultEncKey: generate("vaultEncKey"),
        pgMetaCryptoKey: generate("pgMetaCryptoKey"),
        logflarePublicAccessToken: generate("logflarePublicAccessToken"),
        logflarePrivateAccessToken: generate("logflarePrivateAccessToken"),
        realtimeDbEncKey: generate("realtimeDbEncKey"),
        poolerApiJwtSecret: generate("poolerApiJwtSecret"),
        s3ProtocolAccessKeyId: generate("s3ProtocolAccessKeyId"),
        s3ProtocolAccessKeySecret: generate("s3ProtocolAccessKeySecret"),
    };
}
