/** storage: the object storage API, on the storage volume or on S3. */
import * as pulumi from "@pulumi/pulumi";
import { INTERNAL_PORTS, SERVICE_CATALOG } from "../catalog.js";
import { isAtLeast } from "../releases.js";
import { asymmetricKeyEnv, boolText, databaseUrl, healthCheck } from "./shared.js";
import type { ServiceContext, ServiceModule } from "./types.js";

/** Where objects live with the file backend; imgproxy reads the same volume at the same path. */
export const STORAGE_PATH = "/var/lib/storage";
/** With the file backend the "bucket" is only a directory name under STORAGE_PATH. */
const FILE_BACKEND_BUCKET = "stub";

function backendEnv(context: ServiceContext): Record<string, pulumi.Input<string>> {
    const { settings, secrets } = context;
    if (settings.storageBackend === "file") {
        return { STORAGE_BACKEND: "file", GLOBAL_S3_BUCKET: FILE_BACKEND_BUCKET, FILE_STORAGE_BACKEND_PATH: STORAGE_PATH, REGION: "local" };
    }
    // The schema guarantees every S3 setting is present for the s3 backend.
    const endpoint = new URL(settings.s3Endpoint!);
    return {
        STORAGE_BACKEND: "s3",
        GLOBAL_S3_BUCKET: settings.s3Bucket!,
        GLOBAL_S3_ENDPOINT: settings.s3Endpoint!,
        GLOBAL_S3_PROTOCOL: endpoint.protocol.replace(":", ""),
        GLOBAL_S3_FORCE_PATH_STYLE: boolText(settings.s3ForcePathStyle),
        REGION: settings.s3Region!,
        AWS_ACCESS_KEY_ID: secrets.s3AccessKeyId!,
        AWS_SECRET_ACCESS_KEY: secrets.s3SecretAccessKey!,
    };
}

export const storage: ServiceModule = {
    service: "storage",
    dependsOn: () => ["db", "rest", "imgproxy"],
    define: (context) => {
        const current = isAtLeast(context.release, "0.8.2");
        return {
            env: {
                ANON_KEY: context.secrets.anonKey,
                SERVICE_KEY: context.secrets.serviceRoleKey,
                POSTGREST_URL: `http://${SERVICE_CATALOG.rest.alias}:${INTERNAL_PORTS.rest}`,
                // The variable's name changed with storage v1.6x; the value is the same JWT secret.
                [current ? "AUTH_JWT_SECRET" : "PGRST_JWT_SECRET"]: context.secrets.jwtSecret,
                ...asymmetricKeyEnv(context, { JWT_JWKS: (keys) => keys.jwtJwks }),
                DATABASE_URL: databaseUrl(context, { scheme: "postgres", user: "supabase_storage_admin" }),
                STORAGE_PUBLIC_URL: context.apiUrl,
                REQUEST_ALLOW_X_FORWARDED_PATH: "true",
                FILE_SIZE_LIMIT: String(context.settings.storageFileSizeLimitBytes),
                // Upstream's default is "stub"; the ref keeps tenants apart when they share an S3 bucket.
                TENANT_ID: context.settings.ref,
                ENABLE_IMAGE_TRANSFORMATION: "true",
                IMGPROXY_URL: `http://${SERVICE_CATALOG.imgproxy.alias}:${INTERNAL_PORTS.imgproxy}`,
                S3_PROTOCOL_ACCESS_KEY_ID: context.secrets.s3ProtocolAccessKeyId,
                S3_PROTOCOL_ACCESS_KEY_SECRET: context.secrets.s3ProtocolAccessKeySecret,
                ...backendEnv(context),
            },
            healthcheck: healthCheck(
                ["CMD", "wget", "--no-verbose", "--tries=1", "--spider", `http://localhost:${INTERNAL_PORTS.storage}/status`],
                current ? { startPeriod: "10s" } : {},
            ),
            volumes: [{ volume: "storage", containerPath: STORAGE_PATH }],
            uploads: [],
            publishedPorts: [],
            waitTimeoutSeconds: 120,
        };
    },
};
