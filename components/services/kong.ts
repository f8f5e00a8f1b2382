/**
 * kong: the tenant's only HTTP entry point. Its declarative config is uploaded as a template; the
 * keys and the dashboard login are filled in from the environment when the container starts, so no
 * secret is ever written into the uploaded file or Pulumi state.
 */
import { INTERNAL_PORTS } from "../catalog.js";
import { KONG_DECLARATIVE_CONFIG } from "../files/kongConfig.js";
import { KONG_ENTRYPOINT } from "../files/kongTemplateExpansion.js";
import { healthCheck } from "./shared.js";
import type { ServiceModule } from "./types.js";

export const kong: ServiceModule = {
    service: "kong",
    // Kong resolves upstreams per request, so it can serve (and answer 502 for a service still starting)
    // as soon as it is up: nothing gates it.
    dependsOn: [],
    define: (context) => {
        const template = context.files.kongDeclarativeConfigTemplate;
        return {
            env: {
                KONG_DATABASE: "off",
                KONG_DECLARATIVE_CONFIG: KONG_DECLARATIVE_CONFIG.renderedPath,
                KONG_DNS_ORDER: "LAST,A,CNAME",
                KONG_PLUGINS: "request-transformer,cors,key-auth,acl,basic-auth,request-termination,ip-restriction",
                KONG_NGINX_PROXY_PROXY_BUFFER_SIZE: "160k",
                KONG_NGINX_PROXY_PROXY_BUFFERS: "64 160k",
                SUPABASE_ANON_KEY: context.secrets.anonKey,
                SUPABASE_SERVICE_KEY: context.secrets.serviceRoleKey,
                DASHBOARD_USERNAME: context.settings.dashboardUsername,
                DASHBOARD_PASSWORD: context.secrets.dashboardPassword,
            },
            entrypoint: KONG_ENTRYPOINT,
            healthcheck: healthCheck(["CMD", "kong", "health"], { interval: "10s", timeout: "10s", retries: 5 }),
            volumes: [],
            uploads: [{ path: template.path, content: template.content }],
            publishedPorts: [
                { internal: INTERNAL_PORTS.kongHttp, external: context.settings.kongHttpPort },
                { internal: INTERNAL_PORTS.kongHttps, external: context.settings.kongHttpsPort },
            ],
            waitTimeoutSeconds: 120,
        };
    },
};
