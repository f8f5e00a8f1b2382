/**
 * The Pulumi program: one stack = one tenant project (a host stack, project supabase-fleet-host, declares
 * a Docker host's shared services instead). Reads and validates the stack's config, then
 * declares one SupabaseProject and returns its outputs as the stack outputs.
 *
 * Exported as a function (Pulumi calls a default-exported function and uses its result as the stack
 * outputs) so that the offline plan can run this exact code path for many stacks in one process.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_NAME } from "./components/config/constants.js";
import { TenantConfigError, foreignNamespaceProblems, parseTenantConfig, plaintextSecretProblems, settingsFromPulumiConfig } from "./components/config/load.js";
import { splitSecrets } from "./components/config/secrets.js";
import { HOST_PROJECT_NAME } from "./components/hostServices/catalog.js";
import { hostServicesMain } from "./components/hostServices/program.js";
import { SupabaseProject } from "./components/supabaseProject.js";

/** Whether Pulumi holds a config key encrypted (public at runtime, not in the SDK's type declarations). */
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret: (fullKey: string) => boolean }).isConfigSecret;

export default async function main(): Promise<Record<string, unknown>> {
    // Host stacks (one per Docker host: the edge proxy) run this same program under their own project.
    if (pulumi.getProject() === HOST_PROJECT_NAME) return hostServicesMain();
    const stack = pulumi.getStack();
    const allConfig = pulumi.runtime.allConfig();
    const raw = settingsFromPulumiConfig(allConfig, stack);
    const encryptedKeys = new Set(Object.keys(raw).filter((key) => isConfigSecret(`${PROJECT_NAME}:${key}`)));
    const storageProblems = [...plaintextSecretProblems(raw, isConfigSecret), ...foreignNamespaceProblems(allConfig)];
    let config;
    try {
        config = parseTenantConfig(raw, `stack ${stack}`, undefined, encryptedKeys, storageProblems);
    } catch (error) {
        // A user's mistake: report every problem, no stack trace, before any resource is registered.
        if (error instanceof TenantConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
    const { settings, secretInputs } = splitSecrets(config);
    const project = new SupabaseProject(settings.ref, { settings, secrets: secretInputs });
    return project.stackOutputs();
}
