/**
 * `npx tsx stacks/preview/postComment.ts --pr <number> --body <file.md> [--head-sha <sha>]`
 *
 * Used by the workflows: creates or updates the pull request's fleet-preview comment. Reads GITHUB_TOKEN,
 * GITHUB_REPOSITORY and GITHUB_API_URL, which GitHub Actions sets.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { commentArgProblems, upsertPullRequestComment } from "./githubComment.js";

async function main(argv: string[]): Promise<number> {
    const flag = (name: string) => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const pr = flag("--pr");
    const bodyFile = flag("--body");
    if (!pr || !bodyFile) {
        console.error("post-comment: usage: --pr <number> --body <file.md>");
        return 2;
    }
    const body = await readFile(bodyFile, "utf8").catch(() => undefined);
    if (body === undefined) {
        console.error(`post-comment: --body: cannot read ${bodyFile}`);
        return 2;
    }
    const args = {
        repository: process.env["GITHUB_REPOSITORY"] ?? "",
        pullRequest: /^\d+$/.test(pr.trim()) ? Number(pr.trim()) : NaN,
        body,
        token: process.env["GITHUB_TOKEN"] ?? "",
        ...(process.env["GITHUB_API_URL"] ? { apiUrl: process.env["GITHUB_API_URL"] } : {}),
        ...(flag("--head-sha") ? { expectedHeadSha: flag("--head-sha")! } : {}),
    };
    const problems = commentArgProblems(args);
    if (problems.length > 0) {
        for (const problem of problems) console.error(`post-comment: ${problem}`);
        return 2;
    }
    try {
        const result = await upsertPullRequestComment(args);
        console.log(`post-comment: ${result.action} comment ${result.id} on pull request #${args.pullRequest}`);
        return 0;
    } catch (error) {
        console.error(`post-comment: ${(error as Error).message}`);
        return 1;
    }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    process.exitCode = await main(process.argv.slice(2));
}
