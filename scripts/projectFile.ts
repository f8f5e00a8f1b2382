/** Renders Pulumi.yaml: project metadata plus one declared config key per tenant setting. */
import { stringify } from "yaml";
import { PROJECT_NAME, SETTINGS, SETTING_KEYS } from "../components/config/schema.js";

export function renderProjectFile(): string {
    const config: Record<string, unknown> = {};
    for (const key of SETTING_KEYS) {
        const { meta } = SETTINGS[key];
        // Bare keys are the project's own namespace (`supabase-fleet:<key>` in stack files).
        config[key] = {
            type: meta.kind,
            description: meta.description,
            ...(meta.kind === "array" ? { items: { type: "string" } } : {}),
            ...(meta.secret ? { secret: true } : {}),
            ...(meta.default === undefined ? {} : { default: meta.default }),
        };
    }
    const project = {
        name: PROJECT_NAME,
        description: "Self-hosted Supabase projects on Docker: one stack per tenant project.",
        runtime: {
            name: "nodejs",
            // The program is precompiled (`npm run build`): no type-checking or transpiling at start.
            options: { typescript: false },
        },
        main: "dist/index.js",
        config,
    };
    const header = "# Generated from components/config/schema.ts by `npm run gen:project-config`; do not edit by hand.\n";
    return header + stringify(project, { lineWidth: 0 });
}
