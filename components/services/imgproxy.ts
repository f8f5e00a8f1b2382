/** imgproxy: image transformations for storage, reading objects from the shared storage volume. */
import { INTERNAL_PORTS } from "../catalog.js";
import { isAtLeast } from "../releases.js";
import { healthCheck } from "./shared.js";
import { STORAGE_PATH } from "./storage.js";
import type { ServiceModule } from "./types.js";

export const imgproxy: ServiceModule = {
    service: "imgproxy",
    dependsOn: () => [],
    define: (context) => ({
        env: {
            IMGPROXY_BIND: `:${INTERNAL_PORTS.imgproxy}`,
            IMGPROXY_LOCAL_FILESYSTEM_ROOT: "/",
            IMGPROXY_USE_ETAG: "true",
            // Serve WebP to browsers that accept it; imgproxy 3.31 renamed the switch.
            [isAtLeast(context.release, "0.8.2") ? "IMGPROXY_AUTO_WEBP" : "IMGPROXY_ENABLE_WEBP_DETECTION"]: "true",
            IMGPROXY_MAX_SRC_RESOLUTION: "16.8",
        },
        healthcheck: healthCheck(["CMD", "imgproxy", "health"]),
        volumes: [{ volume: "storage", containerPath: STORAGE_PATH }],
        uploads: [],
        publishedPorts: [],
        waitTimeoutSeconds: 60,
    }),
};
