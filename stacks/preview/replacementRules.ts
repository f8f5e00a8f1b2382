/**
 * Offline stand-in for the provider's diff: which input changes replace a resource rather than update it.
 * The live preview asks the provider; the plan diff has only desired state, so it applies what the providers
 * are known to do (see pulumi-notes.md): almost every Container field forces a new container, Volume and
 * Network changes always do, random values are regenerated on any input change.
 */
import { CONTAINER_TYPE, VOLUME_TYPE } from "./dataLoss.js";
import { TYPE_TOKENS } from "../../components/typeTokens.js";

/** Container fields the Docker provider changes in place (docker update) instead of recreating. */
const CONTAINER_IN_PLACE = new Set(["restart", "maxRetryCount", "memory", "memorySwap", "cpuShares", "cpuSet", "cpus"]);
/**
 * Container fields that only steer the provider and never reach the Docker daemon. (healthcheck, init and
 * tmpfs are not here: the program sets `replaceOnChanges` for them, so they replace.)
 */
const CONTAINER_PROVIDER_ONLY = new Set(["mustRun", "wait", "waitTimeout", "destroyGraceSeconds", "removeVolumes", "containerReadRefreshTimeoutMilliseconds"]);

/** Inputs the program lists in `ignoreChanges` (components/supabaseProject.ts): Pulumi never acts on them. */
const IGNORED_CHANGES: Readonly<Record<string, readonly string[]>> = { [VOLUME_TYPE]: ["labels"] };

export function isIgnoredChange(type: string, property: string): boolean {
    return IGNORED_CHANGES[type]?.includes(property) ?? false;
}

const ALWAYS_REPLACED = new Set<string>([VOLUME_TYPE, TYPE_TOKENS.network]);
const IMAGE_IN_PLACE = new Set(["keepLocally", "forceRemove"]);

/** True when changing this top-level input replaces a resource of this type. */
export function forcesReplacement(type: string, property: string, isComponent: boolean): boolean {
    if (isComponent) return false; // components own no provider state: their children say what happens
    if (type === CONTAINER_TYPE) return !CONTAINER_IN_PLACE.has(property) && !CONTAINER_PROVIDER_ONLY.has(property);
    if (ALWAYS_REPLACED.has(type)) return true;
    if (type === TYPE_TOKENS.remoteImage) return !IMAGE_IN_PLACE.has(property);
    if (type.startsWith("random:")) return true;
    if (type === "command:local:Command" || type === "command:remote:Command") return property === "triggers";
    return false;
}

/** Pulumi type tokens of custom resources have a provider package before the first colon. */
export function isComponentType(type: string): boolean {
    const pkg = type.split(":")[0] ?? "";
    return !["docker", "random", "command", "pulumi"].includes(pkg);
}
