/** Every relative link in the README and docs/ reaches a file, and an anchor a heading of that file (GitHub's slugs). */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../cli/spawn.js";

const pages = [join(REPO, "README.md"), ...readdirSync(join(REPO, "docs")).filter((file) => file.endsWith(".md")).map((file) => join(REPO, "docs", file))];

/** GitHub's heading anchor: lower case, punctuation dropped (but `-` and `_`), spaces to hyphens. */
function slug(heading: string): string {
    return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

function anchorsOf(file: string): Set<string> {
    const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
    return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => slug(heading!)));
}

describe("links in the README and docs/", () => {
    it("knows GitHub's slugs", () => {
        expect(slug("The plan document (`--json`)")).toBe("the-plan-document---json");
        expect(slug("Data: volumes, destroy, replacements")).toBe("data-volumes-destroy-replacements");
    });

    for (const page of pages) {
        it(`${relative(REPO, page)}: every relative link resolves`, () => {
            const text = readFileSync(page, "utf8").replace(/```[\s\S]*?```/g, "");
            const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target!).filter((target) => !/^[a-z]+:/.test(target));
            const broken = links.filter((target) => {
                const [path = "", anchor] = target.split("#");
                const file = path === "" ? page : join(dirname(page), path);
                if (!existsSync(file)) return true;
                return anchor !== undefined && file.endsWith(".md") && !anchorsOf(file).has(anchor);
            });
            expect(broken).toEqual([]);
        });
    }
});
