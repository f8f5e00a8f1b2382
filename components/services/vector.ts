/** vector: ships this tenant's container logs to its analytics. Exists only with analytics on. */
import { INTERNAL_PORTS, SERVICE_CATALOG } from "../catalog.js";
import { isAtLeast } from "../releases.js";
import { LOG_SOCKET_MOUNT, LOG_SOCKET_PATH_IN_VECTOR, tenantLogSocket } from "../files/vectorConfig.js";
import { healthCheck } from "./shared.js";
import type { ServiceModule } from "./types.js";

export const vector: ServiceModule = {
    service: "vector",
    // From 0.8.2 on it waits for analytics, as upstream's logs overlay does (before, it started first).
    dependsOn: (release) => (isAtLeast(release, "0.8.2") ? ["analytics"] : []),
    define: (context) => {
        const config = context.files.vectorConfig;
        if (!config) throw new Error("vector is defined only when analytics is enabled");
        return {
            env: { LOGFLARE_PUBLIC_ACCESS_TOKEN: context.secrets.logflarePublicAccessToken },
            // A socket left by a vector that did not stop cleanly would keep the new one from listening.
            entrypoint: ["/bin/sh", "-c", `rm -f ${LOG_SOCKET_PATH_IN_VECTOR} && exec vector --config ${config.path}`],
            healthcheck: healthCheck(
                ["CMD", "wget", "--no-verbose", "--tries=1", "--spider", `http://${SERVICE_CATALOG.vector.alias}:${INTERNAL_PORTS.vectorApi}/health`],
                { retries: 3 },
            ),
            volumes: [],
            // The daemon sends this tenant's container logs to a socket in this folder of the Docker host
            // (see vectorConfig.ts); vector needs no Docker socket.
            hostBinds: [{ hostPath: tenantLogSocket(context.settings.logSocketDir, context.settings.ref).dir, containerPath: LOG_SOCKET_MOUNT, readOnly: false }],
            securityOpts: ["label=disable"],
            uploads: [{ path: config.path, content: config.content }],
            publishedPorts: [],
            waitTimeoutSeconds: 60,
        };
    },
};
