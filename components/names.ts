/**
 * Docker object names and labels of a tenant. Names are global on a Docker host, so every one starts
 * with the tenant's ref; labels let tools find a tenant's objects without knowing the names.
 */
import { LABELS, type ServiceName } from "./catalog.js";
import type { VolumeName } from "./services/types.js";

export const containerName = (ref: string, service: ServiceName): string => `${ref}-${service}`;
export const volumeName = (ref: string, volume: VolumeName): string => `${ref}-${volume}`;
export const networkName = (ref: string): string => `${ref}-network`;
/** The db data volume of a generation: the first keeps the name every stack had before generations existed. */
export const dbDataVolumeName = (ref: string, generation: number): string => (generation === 1 ? volumeName(ref, "db-data") : `${volumeName(ref, "db-data")}-g${generation}`);

export interface DockerLabel {
    readonly label: string;
    readonly value: string;
}

/** Labels sorted by key, so their order never shows up as a change. */
export function tenantLabels(ref: string, service?: ServiceName): DockerLabel[] {
    const labels: DockerLabel[] = [
        { label: LABELS.managedBy, value: "pulumi" },
        { label: LABELS.tenant, value: ref },
        ...(service ? [{ label: LABELS.service, value: service }] : []),
    ];
    return labels.sort((a, b) => a.label.localeCompare(b.label));
}
