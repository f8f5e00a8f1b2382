/** Create-or-update of the single fleet-preview comment, against a fake GitHub API. */
import { describe, expect, it } from "vitest";
import { upsertPullRequestComment } from "../../stacks/preview/githubComment.js";
import { COMMENT_MARKER } from "../../stacks/preview/index.js";

interface Call {
    method: string;
    url: string;
    body?: unknown;
}

function fakeGitHub(comments: { id: number; body: string; user: { type: string } }[], headSha = "abc123") {
    const calls: Call[] = [];
    const fetch = (async (url: string, init: { method: string; body?: string }) => {
        calls.push({ method: init.method, url, ...(init.body ? { body: JSON.parse(init.body) } : {}) });
        const json = (value: unknown) => ({ ok: true, status: 200, statusText: "OK", json: async () => value });
        if (init.method === "GET" && url.includes("/pulls/")) return json({ head: { sha: headSha } });
        if (init.method === "GET") {
            const page = Number(new URL(url).searchParams.get("page"));
            return json(comments.slice((page - 1) * 100, page * 100));
        }
        if (init.method === "POST") return json({ id: 999 });
        return json({});
    }) as unknown as typeof globalThis.fetch;
    return { calls, fetch };
}

const base = { repository: "acme/fleet", pullRequest: 7, token: "t0ken", apiUrl: "https://api.test" };

describe("upsertPullRequestComment", () => {
    it("creates the comment when none of the bot's comments has the marker", async () => {
        const gh = fakeGitHub([
            { id: 1, body: "looks good", user: { type: "User" } },
            { id: 2, body: `${COMMENT_MARKER}\nquoted by a person`, user: { type: "User" } },
        ]);
        expect(await upsertPullRequestComment({ ...base, body: "## Fleet preview", fetch: gh.fetch })).toEqual({ action: "created", id: 999 });
        expect(gh.calls.at(-1)).toEqual({ method: "POST", url: "https://api.test/repos/acme/fleet/issues/7/comments", body: { body: `${COMMENT_MARKER}\n## Fleet preview` } });
    });

    it("updates the bot's existing comment, even past the first page", async () => {
        const others = Array.from({ length: 100 }, (_, i) => ({ id: i + 1, body: "chatter", user: { type: "User" } }));
        const gh = fakeGitHub([...others, { id: 4242, body: `${COMMENT_MARKER}\nold`, user: { type: "Bot" } }]);
        const body = `${COMMENT_MARKER}\nnew`;
        expect(await upsertPullRequestComment({ ...base, body, fetch: gh.fetch })).toEqual({ action: "updated", id: 4242 });
        expect(gh.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
            "GET https://api.test/repos/acme/fleet/issues/7/comments?per_page=100&page=1",
            "GET https://api.test/repos/acme/fleet/issues/7/comments?per_page=100&page=2",
            "PATCH https://api.test/repos/acme/fleet/issues/comments/4242",
        ]);
        expect(gh.calls.at(-1)!.body).toEqual({ body });
    });

    it("refuses to post for a pull request that is not at the previewed commit", async () => {
        const gh = fakeGitHub([], "def456");
        await expect(upsertPullRequestComment({ ...base, body: "x", expectedHeadSha: "abc123", fetch: gh.fetch })).rejects.toThrow(
            "pull request #7 is at def456, not at the previewed commit abc123: comment not posted",
        );
        expect(gh.calls.map((c) => c.method)).toEqual(["GET"]);
    });

    it("lists every bad argument", async () => {
        await expect(upsertPullRequestComment({ repository: "nope", pullRequest: 0, token: "", body: "x".repeat(70_000) })).rejects.toThrow(
            [
                'repository: expected owner/name, got "nope"',
                'pull request: expected a positive whole number, got "0"',
                "comment: 70000 characters, GitHub allows fewer than 65536",
                "token: GITHUB_TOKEN is not set",
            ].join("\n"),
        );
    });
});
