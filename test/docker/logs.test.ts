/**
 * Tenant logs through the Docker API: the frame parser on hand-made frames, then `DockerTenantHost.logs`
 * against the real engine with labelled busybox containers that write to stdout and stderr.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABELS } from "../../components/catalog.js";
import { LogDemultiplexer, createTenantDockerHost, mergeByTime, type DockerTenantHost, type LogLine } from "../../stacks/docker/index.js";
import { sinceSeconds } from "../../stacks/fleet/cli/logsArgs.js";
import { TEST_DOCKER_HOST, TEST_RUN_LABEL, probeDockerEngine, removeRunObjects, testDocker } from "../support/dockerFixtures.js";
import { STANDIN_IMAGE, ensureStandinImage } from "../support/standinImage.js";

function frame(stream: 1 | 2, text: string): Buffer {
    const body = Buffer.from(text, "utf8");
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(body.length, 4);
    return Buffer.concat([header, body]);
}

describe("the log frame parser", () => {
    it("reassembles frames and lines split anywhere across chunks, per stream", () => {
        const lines: LogLine[] = [];
        const parser = new LogDemultiplexer("auth", (line) => lines.push(line));
        const bytes = Buffer.concat([frame(1, "2026-12-03T10:00:00.5Z one\n2026-12-03T10:00:01Z tw"), frame(2, "2026-12-03T10:00:02Z err\n"), frame(1, "o\n")]);
        for (let at = 0; at < bytes.length; at += 5) parser.push(bytes.subarray(at, at + 5));
        parser.end();
        expect(lines).toEqual([
            { service: "auth", stream: "stdout", time: "2026-12-03T10:00:00.5Z", text: "one" },
            { service: "auth", stream: "stderr", time: "2026-12-03T10:00:02Z", text: "err" },
            { service: "auth", stream: "stdout", time: "2026-12-03T10:00:01Z", text: "two" },
        ]);
    });

    it("treats output that is not framed (a TTY container) as stdout text, and flushes a last line without newline", () => {
        const lines: LogLine[] = [];
        const parser = new LogDemultiplexer("db", (line) => lines.push(line));
        parser.push(Buffer.from("plain line\nunfinished"));
        parser.end();
        expect(lines.map((line) => [line.stream, line.text])).toEqual([["stdout", "plain line"], ["stdout", "unfinished"]]);
    });

    it("orders lines of several containers by nanosecond timestamps, keeping equal ones in arrival order", () => {
        const at = (service: string, time: string): LogLine => ({ service, stream: "stdout", time, text: service });
        const merged = mergeByTime([at("a", "2026-12-03T10:00:00.000000003Z"), at("b", "2026-12-03T10:00:00.000000002Z"), at("c", "2026-12-03T10:00:00.000000002Z"), at("d", "2026-12-03T09:59:59Z")]);
        expect(merged.map((line) => line.service)).toEqual(["d", "b", "c", "a"]);
    });

    it("reads --since as a duration, a date or Unix seconds", () => {
        const now = Date.parse("2026-12-03T12:00:00Z");
        expect(sinceSeconds("10m", now)).toBe(now / 1000 - 600);
        expect(sinceSeconds("2026-12-03T11:00:00Z", now)).toBe(now / 1000 - 3600);
        expect(sinceSeconds("1764763200", now)).toBe(1764763200);
        expect(sinceSeconds("soon", now)).toBeUndefined();
    });
});

const docker = testDocker();
const engine = await probeDockerEngine(docker);
const mustRun = process.env.CI === "true";

describe.skipIf(!engine.available && !mustRun)("DockerTenantHost.logs on a real engine", () => {
    const run = randomBytes(3).toString("hex");
    const ref = `logs-${run}`;
    const other = `logs-${run}-b`;
    let host: DockerTenantHost;

    /** A labelled container that writes the given script's output, then sleeps. */
    async function container(tenant: string, service: string, script: string) {
        const created = await docker.createContainer({
            name: `${tenant}-${service}`,
            Image: STANDIN_IMAGE,
            Cmd: ["sh", "-c", `trap 'exit 0' TERM; ${script}; sleep 3600 & wait`],
            Labels: { [LABELS.tenant]: tenant, [LABELS.service]: service, [TEST_RUN_LABEL]: run },
        });
        await created.start();
        return created;
    }

    beforeAll(async () => {
        if (!engine.available) throw new Error(`CI=true requires a Docker engine: ${engine.reason}`);
        await ensureStandinImage(docker);
        host = createTenantDockerHost(TEST_DOCKER_HOST);
        await container(ref, "db", "echo db-first; sleep 0.3; echo db-error >&2; sleep 0.3; echo db-third");
        await container(ref, "auth", "sleep 0.15; echo auth-second; while true; do sleep 0.2; echo auth-tick; done");
        await container(other, "db", "echo other-tenant-line");
        await new Promise((resolve) => setTimeout(resolve, 1200));
    });

    afterAll(async () => {
        if (engine.available) await removeRunObjects(docker, run);
    });

    it("merges the tenant's containers in write order, with streams, and never another tenant's lines", async () => {
        const lines: LogLine[] = [];
        await host.logs(ref, {}, (line) => lines.push(line));
        const texts = lines.map((line) => line.text);
        expect(texts.filter((text) => text.startsWith("db-"))).toEqual(["db-first", "db-error", "db-third"]);
        expect(texts).toContain("auth-second");
        // Docker's own timestamps, in order across both containers.
        const times = lines.map((line) => line.time);
        expect(times.every((time) => /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(time))).toBe(true);
        expect(mergeByTime(lines)).toEqual(lines);
        expect(lines.find((line) => line.text === "db-error")).toMatchObject({ service: "db", stream: "stderr" });
        expect(texts).not.toContain("other-tenant-line");
    });

    it("filters by service and tail", async () => {
        const lines: LogLine[] = [];
        await host.logs(ref, { service: "db", tail: 1 }, (line) => lines.push(line));
        expect(lines.map((line) => line.text)).toEqual(["db-third"]);
        await expect(host.logs(ref, { service: "rest" }, () => undefined)).rejects.toThrow(`${ref} has no rest container on ${TEST_DOCKER_HOST}`);
    });

    it("follows new lines until the signal aborts", async () => {
        const controller = new AbortController();
        const lines: LogLine[] = [];
        const following = host.logs(ref, { service: "auth", tail: 0, follow: true, signal: controller.signal }, (line) => {
            lines.push(line);
            if (lines.length === 2) controller.abort();
        });
        await following;
        expect(lines.map((line) => line.text)).toEqual(["auth-tick", "auth-tick"]);
    });
});
