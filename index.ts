/**
 * The Pulumi program: one stack = one tenant project. Reads and validates the stack's config, then
 * declares one SupabaseProject and returns its outputs as the stack outputs.
 *
 * Exported as a function (Pulumi calls a default-exported function and uses its result as the stack
 * outputs) so that the offline plan can run this exact code path for many stacks in one process.
 */
import * as pulumi from "@pulumi/pulumi";
import { TenantConfigError, parseTenantConfig, settingsFromPulumiConfig } from "./components/config/load.js";
import { splitSecrets } from "./components/config/secrets.js";
import { SupabaseProject } from "./components/supabaseProject.js";

export default async function main(): Promise<Record<string, unknown>> {
    const stack = pulumi.getStack();
    let config;
    try {
        config = parseTenantConfig(settingsFromPulumiConfig(pulumi.runtime.allConfig(), stack), `stack ${stack}`);
    } catch (error) {
        // A user's mistake: report every problem, no stack trace, before any resource is registered.
        if (error instanceof TenantConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
    const { settings, secretInputs } = splitSecrets(config);
    const project = new SupabaseProject(settings.ref, { settings, secrets: secretInputs });
    return project.stackOutputs();
}
