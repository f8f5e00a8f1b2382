/**
 * Config files rendered per tenant. Deterministic (same input, same bytes) so previews never show a
 * change that is not one, and free of secrets: every secret reaches its service through the
 * environment and is filled in when the container starts.
 */
import type { ServiceName } from "../catalog.js";
import type { Release } from "../releases.js";
import { renderDbInitScripts } from "./dbInitSql.js";
import { ENVOY_CONFIG, renderEnvoyFiles } from "../gateway/envoyConfig.js";
import { KONG_DECLARATIVE_CONFIG, renderKongDeclarativeConfigTemplate } from "./kongConfig.js";
import { MAIN_EDGE_FUNCTION_PATH, MAIN_EDGE_FUNCTION_SOURCE } from "./mainEdgeFunction.js";
import { SUPAVISOR_BOOTSTRAP_PATH, SUPAVISOR_BOOTSTRAP_SCRIPT } from "./supavisorBootstrap.js";
import { VECTOR_CONFIG_PATH, renderVectorConfig } from "./vectorConfig.js";

export { DB_INIT_DIRECTORIES, DB_INIT_ROOT, PASSWORD_ROLES, dbInitEnv, dbInitRunAs } from "./dbInitSql.js";
export { REALTIME_DENIED_PATHS, STUDIO_MCP_DENIED_PATHS } from "../gateway/routes.js";
export { KONG_DECLARATIVE_CONFIG, KONG_TEMPLATE_PLACEHOLDERS, KONG_RENDERED_CONFIG_TMPFS, kongTemplatePlaceholders, luaAuthorizationExpression, luaRealtimeKeyExpression } from "./kongConfig.js";
export { kongEntrypoint, kongExpandTemplateScript } from "./kongTemplateExpansion.js";
export { FUNCTIONS_ROOT, MAIN_EDGE_FUNCTION_DIR, MAIN_EDGE_FUNCTION_ENV, MAIN_EDGE_FUNCTION_PATH } from "./mainEdgeFunction.js";
export { SUPAVISOR_BOOTSTRAP_ENV, SUPAVISOR_BOOTSTRAP_PATH } from "./supavisorBootstrap.js";
export { LOG_SOURCES, VECTOR_CONFIG_PATH } from "./vectorConfig.js";

export interface RenderFilesInput {
    readonly ref: string;
    readonly release: Release;
    readonly analyticsEnabled: boolean;
    /** Container names of this tenant, by service. */
    readonly containerNames: Readonly<Record<ServiceName, string>>;
    /** 0.8.2 on, after a rotation of the opaque keys: the gateway still accepts the previous pair. */
    readonly previousOpaqueKeys?: boolean;
}

export interface RenderedFile {
    /** Absolute path inside the container. */
    readonly path: string;
    readonly content: string;
}

export interface RenderedFiles {
    /** Kong declarative config with `$VARIABLE` placeholders, expanded from the environment at start. */
    readonly kongDeclarativeConfigTemplate: RenderedFile;
    /**
     * Envoy's bootstrap, clusters and listener template (with `$VARIABLE` placeholders), from the same
     * route table as Kong's config; uploaded only for a tenant whose gateway is envoy.
     */
    readonly envoyConfig: readonly RenderedFile[];
    /** Vector config reading only this tenant's containers; absent when analytics is off. */
    readonly vectorConfig?: RenderedFile;
    /** SQL run once by the db image on an empty data directory, in file-name order. */
    readonly dbInitScripts: readonly RenderedFile[];
    /** Elixir script that creates the pooler tenant if absent. */
    readonly supavisorBootstrap: RenderedFile;
    /** The main edge function that routes requests to the other functions. */
    readonly mainEdgeFunction: RenderedFile;
}

export function renderFiles(input: RenderFilesInput): RenderedFiles {
    return {
        kongDeclarativeConfigTemplate: {
            path: KONG_DECLARATIVE_CONFIG.templatePath,
            content: renderKongDeclarativeConfigTemplate(input),
        },
        envoyConfig: envoyConfigFiles(input),
        ...(input.analyticsEnabled ? { vectorConfig: { path: VECTOR_CONFIG_PATH, content: renderVectorConfig(input) } } : {}),
        dbInitScripts: renderDbInitScripts(input.release),
        supavisorBootstrap: { path: SUPAVISOR_BOOTSTRAP_PATH, content: SUPAVISOR_BOOTSTRAP_SCRIPT },
        mainEdgeFunction: { path: MAIN_EDGE_FUNCTION_PATH, content: MAIN_EDGE_FUNCTION_SOURCE },
    };
}

function envoyConfigFiles(input: RenderFilesInput): RenderedFile[] {
    const files = renderEnvoyFiles(input);
    return [
        { path: ENVOY_CONFIG.bootstrapPath, content: files.bootstrap },
        { path: ENVOY_CONFIG.clustersPath, content: files.clusters },
        { path: ENVOY_CONFIG.listenerTemplatePath, content: files.listenerTemplate },
    ];
}
