/** Inputs shared by the rendered-file tests. */
import { SERVICE_NAMES, type ServiceName } from "../../components/catalog.js";
import { containerName } from "../../components/names.js";
import { renderFiles, type RenderedFile, type RenderedFiles } from "../../components/files/index.js";

export const containerNamesOf = (ref: string): Record<ServiceName, string> =>
    Object.fromEntries(SERVICE_NAMES.map((service) => [service, containerName(ref, service)])) as Record<ServiceName, string>;

export const render = (ref: string, analyticsEnabled: boolean): RenderedFiles => renderFiles({ ref, analyticsEnabled, containerNames: containerNamesOf(ref) });

/** Every file of a render, in a fixed order. */
export function allFiles(files: RenderedFiles): RenderedFile[] {
    return [
        files.kongDeclarativeConfigTemplate,
        ...(files.vectorConfig ? [files.vectorConfig] : []),
        ...files.dbInitScripts,
        files.supavisorBootstrap,
        files.mainEdgeFunction,
    ];
}
