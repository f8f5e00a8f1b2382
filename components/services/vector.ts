/** vector: ships this tenant's container logs to its analytics. Exists only with analytics on. */
import { INTERNAL_PORTS, SERVICE_CATALOG } from "../catalog.js";
import { isAtLeast } from "../releases.js";
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
            command: ["--config", config.path],
            healthcheck: healthCheck(
                ["CMD", "wget", "--no-verbose", "--tries=1", "--spider", `http://${SERVICE_CATALOG.vector.alias}:${INTERNAL_PORTS.vectorApi}/health`],
                { retries: 3 },
            ),
            volumes: [],
            // Vector reads container logs from the daemon; its config narrows them to this tenant.
            // The socket's place on the Docker host varies (rootless Docker, Colima); inside it is the default.
            hostBinds: [{ hostPath: context.settings.dockerSocketPath, containerPath: "/var/run/docker.sock", readOnly: true }],
            securityOpts: ["label=disable"],
            uploads: [{ path: config.path, content: config.content }],
            publishedPorts: [],
            waitTimeoutSeconds: 60,
        };
    },
};
