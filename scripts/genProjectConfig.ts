/**
 * Writes the parts of the repo derived from the tenant config schema: the `config:` section of
 * Pulumi.yaml (every setting declared with its type, description and default) and the config
 * reference table in docs/config.md. `--check` exits non-zero when either is out of date.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { exitIfHelp, setUpProcess } from "../stacks/cli/process.js";
import { CONFIG_REFERENCE_DOC, renderProjectFile, withConfigReference } from "./projectFile.js";

setUpProcess();
exitIfHelp(
    process.argv.slice(2),
    "usage: npm run gen:project-config [-- --check]\nRewrites the config: section of Pulumi.yaml and the config reference in docs/config.md\nfrom " +
        "components/config/schema.ts; --check only says (exit 1) when either is out of date.",
);

const projectFilePath = fileURLToPath(new URL("../Pulumi.yaml", import.meta.url));
const referencePath = fileURLToPath(new URL(`../${CONFIG_REFERENCE_DOC}`, import.meta.url));

const targets = [
    { path: projectFilePath, expected: renderProjectFile() },
    { path: referencePath, expected: withConfigReference(readFileSync(referencePath, "utf8")) },
];

if (process.argv.includes("--check")) {
    const stale = targets.filter((target) => readFileSync(target.path, "utf8") !== target.expected);
    for (const target of stale) console.error(`${target.path} is out of date with components/config/schema.ts; run \`npm run gen:project-config\`.`);
    process.exit(stale.length === 0 ? 0 : 1);
}
for (const target of targets) writeFileSync(target.path, target.expected);
console.log(`wrote Pulumi.yaml and the config reference in ${CONFIG_REFERENCE_DOC}`);
