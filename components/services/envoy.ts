/**
 * The gateway slot running Envoy (gateway: envoy, release 0.8.2 on), upstream's default gateway since
 * 0.8.0. Its config comes from the same route table as Kong's (components/gateway/). The listener
 * template is uploaded with placeholders; the start script fills in the keys and the dashboard login
 * from the environment onto a tmpfs, so no secret is written into an upload or into Pulumi state.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { INTERNAL_PORTS } from "../catalog.js";
import type { KongConfigPaths } from "../files/kongConfig.js";
import { kongExpandTemplateScript } from "../files/kongTemplateExpansion.js";
import { ENVOY_CONFIG, ENVOY_RENDERED_CONFIG_TMPFS, envoyTemplatePlaceholders } from "../gateway/envoyConfig.js";
import { EDGE_NETWORK_NAME } from "../hostServices/catalog.js";
import { API_GATEWAY_ALIAS, asymmetricKeyEnv, healthCheck, keepsPreviousOpaqueKeys } from "./shared.js";
import type { ContainerSpec, ServiceContext } from "./types.js";

/** The uid of the envoy image's `envoy` user: Envoy needs no root to listen on 8000. */
const ENVOY_USER = "101:101";

/** The htpasswd line Envoy's basic_auth filter reads: `<user>:{SHA}<base64 of SHA-1(password)>`. */
export function htpasswdSha(username: string, password: string): string {
    return `${username}:{SHA}${createHash("sha1").update(password, "utf8").digest("base64")}`;
}

const LISTENER_PATHS: KongConfigPaths = { templatePath: ENVOY_CONFIG.listenerTemplatePath, renderedPath: ENVOY_CONFIG.listenerPath };

/** Fills in the listener, then starts Envoy; paths and the start are parameters so tests run the same script on a scratch folder. */
export function envoyStartScript(placeholders: readonly string[], paths: KongConfigPaths = LISTENER_PATHS, start = `exec envoy -c ${ENVOY_CONFIG.bootstrapPath}`): string {
    return kongExpandTemplateScript(paths, start, placeholders, "envoy");
}

export function defineEnvoy(context: ServiceContext): ContainerSpec {
    const previous = keepsPreviousOpaqueKeys(context.settings);
    return {
        env: {
            ANON_KEY: context.secrets.anonKey,
            SERVICE_ROLE_KEY: context.secrets.serviceRoleKey,
            DASHBOARD_BASIC_AUTH: pulumi.secret(pulumi.output(context.secrets.dashboardPassword).apply((password) => htpasswdSha(context.settings.dashboardUsername, password))),
            ...asymmetricKeyEnv(context, {
                SUPABASE_PUBLISHABLE_KEY: (keys) => keys.publishableKey,
                SUPABASE_SECRET_KEY: (keys) => keys.secretKey,
                ANON_KEY_ASYMMETRIC: (keys) => keys.anonKeyAsymmetric,
                SERVICE_ROLE_KEY_ASYMMETRIC: (keys) => keys.serviceRoleKeyAsymmetric,
            }),
            ...(previous
                ? asymmetricKeyEnv(context, {
                      SUPABASE_PREVIOUS_PUBLISHABLE_KEY: (keys) => keys.previousPublishableKey!,
                      SUPABASE_PREVIOUS_SECRET_KEY: (keys) => keys.previousSecretKey!,
                  })
                : {}),
        },
        entrypoint: ["sh", "-c", envoyStartScript(envoyTemplatePlaceholders(context.release, previous))],
        // As upstream: the image has no curl or wget, so a TCP connect to the listener.
        healthcheck: healthCheck(["CMD-SHELL", `timeout 1 bash -c '</dev/tcp/127.0.0.1/${INTERNAL_PORTS.kongHttp}'`], { interval: "10s", timeout: "5s", retries: 3 }),
        volumes: [],
        extraAliases: [API_GATEWAY_ALIAS, "envoy"],
        uploads: context.files.envoyConfig.map((file) => ({ path: file.path, content: file.content })),
        tmpfs: { [ENVOY_RENDERED_CONFIG_TMPFS.path]: ENVOY_RENDERED_CONFIG_TMPFS.options },
        user: ENVOY_USER,
        ...(context.settings.edgeHostname === undefined ? {} : { edgeNetwork: EDGE_NETWORK_NAME }),
        // Plain HTTP on 8000 only, as upstream: TLS is the edge proxy's.
        publishedPorts: context.settings.publishGatewayPorts ? [{ internal: INTERNAL_PORTS.kongHttp, external: context.settings.kongHttpPort }] : [],
        waitTimeoutSeconds: 120,
    };
}
