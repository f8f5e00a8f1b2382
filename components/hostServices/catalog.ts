/**
 * Fixed names of a Docker host's shared services (one host stack per daemon, see
 * dockerHostServices.ts). Tenant stacks read the edge network's name from here, so both sides agree.
 */
import { PROJECT_NAME } from "../config/constants.js";

/** The Pulumi project of the host stacks: its stacks are named after the fleet.yaml hosts. */
export const HOST_PROJECT_NAME = `${PROJECT_NAME}-host`;
/** The folder, beside Pulumi.yaml, that holds the host stacks' files (`hosts/Pulumi.<host>.yaml`). */
export const HOST_STACK_CONFIG_DIR = "hosts";

/**
 * Caddy: automatic HTTPS with ACME (and DNS-01 through a provider module), an internal CA for
 * development, graceful config reloads that keep open websockets, in one static binary.
 */
export const EDGE_PROXY_IMAGE = "caddy:2.11.9-alpine";

/** The network every tenant gateway on the host joins; only the proxy and the gateways are on it. */
export const EDGE_NETWORK_NAME = `${PROJECT_NAME}-edge`;
export const EDGE_PROXY_CONTAINER = `${PROJECT_NAME}-edge-proxy`;
/** Certificates, ACME accounts and the internal CA's key: kept when the host stack is destroyed. */
export const EDGE_DATA_VOLUME = `${PROJECT_NAME}-edge-data`;
/** The rendered routes file the proxy watches and reloads. */
export const EDGE_ROUTES_VOLUME = `${PROJECT_NAME}-edge-routes`;

/** Where the proxy reads its routes and keeps its data, inside its container. */
export const EDGE_ROUTES_DIR = "/etc/caddy/routes";
export const EDGE_ROUTES_FILE = `${EDGE_ROUTES_DIR}/Caddyfile`;
export const EDGE_DATA_DIR = "/data";
/** The internal CA's root certificate, for clients of a development host to trust. */
export const EDGE_INTERNAL_CA_ROOT = `${EDGE_DATA_DIR}/caddy/pki/authorities/local/root.crt`;

export const EDGE_HTTP_PORT_IN_CONTAINER = 80;
export const EDGE_HTTPS_PORT_IN_CONTAINER = 443;

/** The environment variable the proxy reads the DNS provider's token from (never written to a file). */
export const EDGE_DNS_TOKEN_ENV = "EDGE_DNS_API_TOKEN";

/** Let's Encrypt's directories: production by default, staging for trying a setup out. */
export const ACME_PRODUCTION_CA = "https://acme-v02.api.letsencrypt.org/directory";
export const ACME_STAGING_CA = "https://acme-staging-v02.api.letsencrypt.org/directory";

/**
 * How long a proxied websocket (realtime) stays open after a route change reloads the proxy. Caddy
 * closes upgraded connections of the old config at once by default, which would drop every tenant's
 * realtime clients whenever any tenant is added or removed.
 */
export const STREAM_CLOSE_DELAY = "10m";

export const HOST_SERVICES_LABEL = `${PROJECT_NAME}.host-services`;

/** A tenant's edge guard is named the component's name plus this: in a stack's state, it says the tenant was deployed behind the edge. */
export const EDGE_GUARD_SUFFIX = "-edge-guard";
