/**
 * Config files rendered per tenant. Deterministic (same input, same bytes) so previews never show a
 * change that is not one, and free of secrets: every secret reaches its service through the
 * environment and is filled in when the container starts.
 */
import type { ServiceName } from "../catalog.js";

export interface RenderFilesInput {
    readonly ref: string;
    readonly analyticsEnabled: boolean;
    /** Container names of this tenant, by service. */
    readonly containerNames: Readonly<Record<ServiceName, string>>;
}

export interface RenderedFile {
    /** Absolute path inside the container. */
    readonly path: string;
    readonly content: string;
}

export interface RenderedFiles {
    /** Kong declarative config with `$VARIABLE` placeholders, expanded from the environment at start. */
    readonly kongDeclarativeConfigTemplate: RenderedFile;
    /** Vector config reading only this tenant's containers; absent when analytics is off. */
    readonly vectorConfig?: RenderedFile;
    /** SQL run once by the db image on an empty data directory, in file-name order. */
    readonly dbInitScripts: readonly RenderedFile[];
    /** Elixir script that creates the pooler tenant if absent. */
    readonly supavisorBootstrap: RenderedFile;
    /** The main edge function that routes requests to the other functions. */
    readonly mainEdgeFunction: RenderedFile;
}

export function renderFiles(_input: RenderFilesInput): RenderedFiles {
    throw new Error("renderFiles: not implemented yet");
}
