/**
 * Creates or updates the one fleet-preview comment of a pull request, found by its hidden marker, through
 * GitHub's REST API. A pull request gets a single comment that each run rewrites, never one per run.
 */
import { COMMENT_MARKER, GITHUB_COMMENT_LIMIT } from "./render.js";

export interface UpsertCommentArgs {
    /** `owner/name`. */
    repository: string;
    pullRequest: number;
    body: string;
    token: string;
    /** Defaults to https://api.github.com (GITHUB_API_URL on GitHub Enterprise). */
    apiUrl?: string;
    /**
     * The commit the preview was made for. When given, the pull request's head must be this commit: the
     * number comes from an artifact the pull request's own run wrote, so it is checked, not trusted.
     */
    expectedHeadSha?: string;
    fetch?: typeof fetch;
}

interface IssueComment {
    id: number;
    body?: string | null;
    user?: { type?: string } | null;
}

/** Returns what it did and the comment's id. */
export async function upsertPullRequestComment(args: UpsertCommentArgs): Promise<{ action: "created" | "updated"; id: number }> {
    const problems = commentArgProblems(args);
    if (problems.length > 0) throw new Error(problems.join("\n"));
    const http = args.fetch ?? fetch;
    const api = (args.apiUrl ?? "https://api.github.com").replace(/\/$/, "");
    const headers = {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${args.token}`,
        "content-type": "application/json",
        "x-github-api-version": "2022-11-28",
    };
    const call = async (method: string, url: string, body?: unknown): Promise<unknown> => {
        const response = await http(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        if (!response.ok) throw new Error(`GitHub API ${method} ${url.replace(api, "")} answered ${response.status} ${response.statusText}`);
        return response.json();
    };

    if (args.expectedHeadSha) {
        const pull = (await call("GET", `${api}/repos/${args.repository}/pulls/${args.pullRequest}`)) as { head?: { sha?: string } };
        if (pull.head?.sha !== args.expectedHeadSha) {
            throw new Error(`pull request #${args.pullRequest} is at ${pull.head?.sha ?? "an unknown commit"}, not at the previewed commit ${args.expectedHeadSha}: comment not posted`);
        }
    }
    const body = args.body.startsWith(COMMENT_MARKER) ? args.body : `${COMMENT_MARKER}\n${args.body}`;
    const issueUrl = `${api}/repos/${args.repository}/issues/${args.pullRequest}`;
    for (let page = 1; ; page++) {
        const comments = (await call("GET", `${issueUrl}/comments?per_page=100&page=${page}`)) as IssueComment[];
        // Only a bot's comment: a person quoting the marker must not have their comment overwritten.
        const existing = comments.find((c) => c.user?.type === "Bot" && c.body?.startsWith(COMMENT_MARKER));
        if (existing) {
            await call("PATCH", `${api}/repos/${args.repository}/issues/comments/${existing.id}`, { body });
            return { action: "updated", id: existing.id };
        }
        if (comments.length < 100) break;
    }
    const created = (await call("POST", `${issueUrl}/comments`, { body })) as IssueComment;
    return { action: "created", id: created.id };
}

export function commentArgProblems(args: Pick<UpsertCommentArgs, "repository" | "pullRequest" | "body" | "token">): string[] {
    const problems: string[] = [];
    if (!/^[\w.-]+\/[\w.-]+$/.test(args.repository)) problems.push(`repository: expected owner/name, got "${args.repository}"`);
    if (!Number.isInteger(args.pullRequest) || args.pullRequest <= 0) problems.push(`pull request: expected a positive whole number, got "${args.pullRequest}"`);
    if (args.body.length + COMMENT_MARKER.length + 1 >= GITHUB_COMMENT_LIMIT) problems.push(`comment: ${args.body.length} characters, GitHub allows fewer than ${GITHUB_COMMENT_LIMIT}`);
    if (!args.token) problems.push("token: GITHUB_TOKEN is not set");
    return problems;
}
