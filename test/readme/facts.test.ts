/** Numbers the README states about the default tenant agree with the catalog they come from. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ANALYTICS_SERVICES, SERVICE_CATALOG, type ServiceName } from "../../components/catalog.js";
import { REPO } from "../cli/spawn.js";

const readme = readFileSync(join(REPO, "README.md"), "utf8").replace(/\s+/g, " ");
const services = Object.keys(SERVICE_CATALOG) as ServiceName[];
const gib = (list: readonly ServiceName[]) => list.reduce((sum, service) => sum + SERVICE_CATALOG[service].defaultMemoryMb, 0) / 1024;

describe("what the README says pulumi up -s dev creates", () => {
    it("counts the generated secrets of the dev stack's offline plan (snapshots/dev.json)", () => {
        const plan = JSON.parse(readFileSync(join(REPO, "snapshots", "dev.json"), "utf8")) as { resources: { type: string }[] };
        const generated = plan.resources.filter((resource) => resource.type === "random:index/randomPassword:RandomPassword").length;
        expect(generated).toBeGreaterThan(0);
        expect(readme).toContain(`${generated} generated secrets`);
    });
});

describe("the README's sizing note", () => {
    it("adds up the catalog's default memory and CPU limits", () => {
        const cpus = services.reduce((sum, service) => sum + Number(SERVICE_CATALOG[service].defaultCpus), 0);
        const withoutAnalytics = services.filter((service) => !ANALYTICS_SERVICES.includes(service));
        expect(readme).toContain(`memory limits of one tenant add up to ${gib(services)} GiB`);
        expect(readme).toContain(`${gib(withoutAnalytics)} GiB with \`analyticsEnabled: false\``);
        expect(readme).toContain(`CPU limits to ${cpus} CPUs`);
        expect(readme).toContain(`${services.length} containers`);
    });
});
