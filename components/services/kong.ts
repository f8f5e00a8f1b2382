/**
 * kong: the tenant's only HTTP entry point. Its declarative config is uploaded as a template; the
 * keys and the dashboard login are filled in from the environment when the container starts, so no
 * secret is ever written into the uploaded file or Pulumi state. feb-2026 runs Kong 2.8; 0.8.2 runs
 * Kong 3.9 as upstream's docker-compose.kong.yml does. A tenant with gateway envoy runs Envoy in this
 * slot instead (envoy.ts), from the same route table.
 */
import { INTERNAL_PORTS } from "../catalog.js";
import { KONG_DECLARATIVE_CONFIG, KONG_RENDERED_CONFIG_TMPFS } from "../files/kongConfig.js";
import { kongEntrypoint } from "../files/kongTemplateExpansion.js";
import { EDGE_NETWORK_NAME } from "../hostServices/catalog.js";
import { isAtLeast } from "../releases.js";
import { API_GATEWAY_ALIAS, asymmetricKeyEnv, healthCheck, keepsPreviousOpaqueKeys } from "./shared.js";
import { defineEnvoy } from "./envoy.js";
import type { ContainerSpec, ServiceContext, ServiceModule } from "./types.js";

const PLUGINS = ["request-transformer", "cors", "key-auth", "acl", "basic-auth", "request-termination", "ip-restriction"];

/** Settings Kong 3.9 needs as upstream sets them. */
const KONG_3_ENV = {
    KONG_DNS_NOT_FOUND_TTL: "1",
    KONG_ROUTER_FLAVOR: "expressions",
    // The combined format is what vector parses.
    KONG_PROXY_ACCESS_LOG: "/dev/stdout combined",
};

export const kong: ServiceModule = {
    service: "kong",
    // Kong resolves upstreams per request, so it can serve (and answer 502 for a service still starting)
    // as soon as it is up. From 0.8.2 on it waits for Studio, as upstream's gateway does.
    dependsOn: (release) => (isAtLeast(release, "0.8.2") ? ["studio"] : []),
    define: (context) => (context.settings.gateway === "envoy" ? defineEnvoy(context) : defineKong(context)),
};

function defineKong(context: ServiceContext): ContainerSpec {
    const template = context.files.kongDeclarativeConfigTemplate;
    const current = isAtLeast(context.release, "0.8.2");
    return {
        env: {
            KONG_DATABASE: "off",
            KONG_DECLARATIVE_CONFIG: KONG_DECLARATIVE_CONFIG.renderedPath,
            KONG_DNS_ORDER: "LAST,A,CNAME",
            KONG_PLUGINS: [...PLUGINS, ...(current ? ["post-function"] : [])].join(","),
            KONG_NGINX_PROXY_PROXY_BUFFER_SIZE: "160k",
            KONG_NGINX_PROXY_PROXY_BUFFERS: "64 160k",
            ...(current ? KONG_3_ENV : {}),
            SUPABASE_ANON_KEY: context.secrets.anonKey,
            SUPABASE_SERVICE_KEY: context.secrets.serviceRoleKey,
            DASHBOARD_USERNAME: context.settings.dashboardUsername,
            DASHBOARD_PASSWORD: context.secrets.dashboardPassword,
            // 0.8.2: the opaque keys it accepts and the JWTs it puts in their place.
            ...asymmetricKeyEnv(context, {
                SUPABASE_PUBLISHABLE_KEY: (keys) => keys.publishableKey,
                SUPABASE_SECRET_KEY: (keys) => keys.secretKey,
                ANON_KEY_ASYMMETRIC: (keys) => keys.anonKeyAsymmetric,
                SERVICE_ROLE_KEY_ASYMMETRIC: (keys) => keys.serviceRoleKeyAsymmetric,
            }),
            // After a rotation of the opaque keys, while kept: the previous pair, still accepted.
            ...(keepsPreviousOpaqueKeys(context.settings)
                ? asymmetricKeyEnv(context, {
                      SUPABASE_PREVIOUS_PUBLISHABLE_KEY: (keys) => keys.previousPublishableKey!,
                      SUPABASE_PREVIOUS_SECRET_KEY: (keys) => keys.previousSecretKey!,
                  })
                : {}),
        },
        entrypoint: kongEntrypoint(context.release, keepsPreviousOpaqueKeys(context.settings)),
        healthcheck: healthCheck(["CMD", "kong", "health"], current ? { interval: "5s", timeout: "5s", retries: 5 } : { interval: "10s", timeout: "10s", retries: 5 }),
        volumes: [],
        ...(current ? { extraAliases: [API_GATEWAY_ALIAS] } : {}),
        uploads: [{ path: template.path, content: template.content }],
        tmpfs: { [KONG_RENDERED_CONFIG_TMPFS.path]: KONG_RENDERED_CONFIG_TMPFS.options },
        // Behind the host's edge proxy: on its network, and the host ports only if still wanted.
        ...(context.settings.edgeHostname === undefined ? {} : { edgeNetwork: EDGE_NETWORK_NAME }),
        publishedPorts: context.settings.publishGatewayPorts
            ? [
                  { internal: INTERNAL_PORTS.kongHttp, external: context.settings.kongHttpPort },
                  { internal: INTERNAL_PORTS.kongHttps, external: context.settings.kongHttpsPort },
              ]
            : [],
        waitTimeoutSeconds: 120,
    };
}
