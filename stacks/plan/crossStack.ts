/**
 * Rules across the stacks planned together (`plan --all`, several `--stack`): each stack is valid on
 * its own, but two tenants with one ref would share every Docker name, and two tenants on one Docker
 * host with one published port cannot both start. The fleet checks the same when it allocates ports;
 * these rules catch stack files written by hand. Uses the fleet's reading of a stack's config, so a
 * port left unset counts as its default here exactly as it does there.
 */
import { PROJECT_NAME } from "../../components/config/constants.js";
import { dockerHostOf, effectivePorts } from "../fleet/fleetConfigs.js";
import { PORT_KEYS } from "../fleet/stackConfig.js";
import type { StackConfig } from "./stackConfig.js";

export interface CrossStackProblem {
    /** The stack the problem is reported on: the later of the two in planning order. */
    readonly stack: string;
    readonly message: string;
}

export function crossStackProblems(stacks: readonly StackConfig[]): CrossStackProblem[] {
    const problems: CrossStackProblem[] = [];
    const refOwners = new Map<string, string>();
    const portOwners = new Map<string, { stack: string; key: string }>();
    const seen = new Set<string>();
    for (const { stack, config } of stacks) {
        if (seen.has(stack)) continue; // one stack planned twice is one tenant
        seen.add(stack);
        const settings = bareSettings(config);
        const ref = settings.ref || stack;
        const refOwner = refOwners.get(ref);
        if (refOwner !== undefined) {
            problems.push({ stack, message: `stack ${stack}: ${PROJECT_NAME}:ref "${ref}" is already the ref of stack ${refOwner}; a ref names every Docker object of a tenant and must be unique in the project` });
        } else {
            refOwners.set(ref, stack);
        }
        const dockerHost = dockerHostOf(settings);
        const ports = effectivePorts(settings);
        for (const key of PORT_KEYS) {
            const slot = `${dockerHost} ${ports[key]}`;
            const owner = portOwners.get(slot);
            if (owner !== undefined && owner.stack !== stack) {
                problems.push({
                    stack,
                    message: `stack ${stack}: ${PROJECT_NAME}:${key} ${ports[key]} is already ${PROJECT_NAME}:${owner.key} of stack ${owner.stack} on Docker host ${dockerHost}; give each tenant on a host its own ports (fleet create allocates free ones)`,
                });
            } else {
                portOwners.set(slot, { stack, key });
            }
        }
    }
    return problems;
}

/** `supabase-fleet:<key>` entries as bare keys (other namespaces are the program's to refuse). */
function bareSettings(config: Readonly<Record<string, string>>): Record<string, string> {
    const prefix = `${PROJECT_NAME}:`;
    return Object.fromEntries(Object.entries(config).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
}
