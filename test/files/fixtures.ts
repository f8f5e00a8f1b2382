/** Inputs shared by the rendered-file tests. */
import { SERVICE_NAMES, type ServiceName } from "../../components/catalog.js";
import { containerName } from "../../components/names.js";
import { renderFiles, type RenderedFile, type RenderedFiles } from "../../components/files/index.js";
import { RELEASES, type ReleaseName } from "../../components/releases.js";

export const containerNamesOf = (ref: string): Record<ServiceName, string> =>
    Object.fromEntries(SERVICE_NAMES.map((service) => [service, containerName(ref, service)])) as Record<ServiceName, string>;

export const render = (ref: string, analyticsEnabled: boolean, release: ReleaseName = "feb-2026"): RenderedFiles =>
    renderFiles({ ref, release: RELEASES[release], analyticsEnabled, containerNames: containerNamesOf(ref) });

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
