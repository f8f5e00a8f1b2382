/**
 * Writes the `config:` section of Pulumi.yaml from the tenant config schema, so the project file
 * declares every setting with its type, description and default, and never drifts from the schema.
 * `--check` exits non-zero when Pulumi.yaml is out of date (a test runs it).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderProjectFile } from "./projectFile.js";

const projectFilePath = fileURLToPath(new URL("../Pulumi.yaml", import.meta.url));
const expected = renderProjectFile();
if (process.argv.includes("--check")) {
    const actual = readFileSync(projectFilePath, "utf8");
    if (actual !== expected) {
        console.error("Pulumi.yaml is out of date with components/config/schema.ts; run `npm run gen:project-config`.");
        process.exit(1);
    }
} else {
    writeFileSync(projectFilePath, expected);
    console.log("wrote Pulumi.yaml");
}
