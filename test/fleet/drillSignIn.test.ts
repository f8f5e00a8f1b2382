import { describe, expect, it } from "vitest";
import { askWhileBusy, type AuthAnswer } from "../../stacks/fleet/backups.js";

/** A post that answers the given statuses in turn, counting its calls. */
function answering(...statuses: string[]) {
    let calls = 0;
    const post = async (): Promise<AuthAnswer> => {
        const status = statuses[Math.min(calls++, statuses.length - 1)]!;
        return { status, token: status === "200" ? "a token" : undefined, exitCode: status === "none" ? 1 : 0 };
    };
    return { post, calls: () => calls };
}

describe("the drill's sign-in through auth", () => {
    it("asks again while auth is busy (5xx, 429) and takes the first other answer", async () => {
        const auth = answering("504", "503", "429", "200");
        expect(await askWhileBusy(auth.post, 6, 0)).toEqual({ status: "200", token: "a token", exitCode: 0 });
        expect(auth.calls()).toBe(4);
    });

    it("takes a refusal at once: wrong credentials are not asked again", async () => {
        const auth = answering("400", "200");
        expect((await askWhileBusy(auth.post, 6, 0)).status).toBe("400");
        expect(auth.calls()).toBe(1);
    });

    it("takes a failed connection at once, and a busy auth after the last attempt", async () => {
        const unreachable = answering("none");
        expect((await askWhileBusy(unreachable.post, 6, 0)).exitCode).toBe(1);
        expect(unreachable.calls()).toBe(1);
        const busy = answering("500");
        expect((await askWhileBusy(busy.post, 6, 0)).status).toBe("500");
        expect(busy.calls()).toBe(6);
    });
});
