import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTlsFolders, type TlsFolders } from "../support/tls.js";
import { DockerUnreachableError, createTenantDockerHost } from "../../stacks/docker/index.js";
import { asUnreachable } from "../../stacks/docker/errors.js";

// None of these need an engine: they prove that a daemon nobody can reach gives one clear error.
const noGraph = { startDependencies: { db: [] } };

describe("unreachable Docker hosts", () => {
    let tls: TlsFolders;
    beforeAll(() => {
        tls = makeTlsFolders();
    });
    afterAll(() => rmSync(tls.root, { recursive: true, force: true }));

    it("names a missing unix socket and how to fix it", async () => {
        const host = createTenantDockerHost("unix:///nonexistent.sock", noGraph);
        const error = await host.ping().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DockerUnreachableError);
        expect((error as DockerUnreachableError).message).toBe(
            "Docker host unix:///nonexistent.sock is unreachable: the socket does not exist (is the daemon running?) [ENOENT]. " +
                "Start the Docker daemon on this machine (for example `bash .ci/setup-docker.sh`) or set supabase-fleet:dockerHost to the socket it listens on.",
        );
        expect((error as DockerUnreachableError).dockerHost).toBe("unix:///nonexistent.sock");
    });

    it("fails every operation the same way, not only ping", async () => {
        const host = createTenantDockerHost("unix:///nonexistent.sock", noGraph);
        for (const operation of [() => host.serviceStates("t-x"), () => host.pause("t-x"), () => host.resume("t-x"), () => host.tenantRefs()]) {
            await expect(operation()).rejects.toBeInstanceOf(DockerUnreachableError);
        }
    });

    it("reports a refused tcp connection", async () => {
        const error = await createTenantDockerHost("tcp://127.0.0.1:1", { ...noGraph, tlsCertPath: tls.client }).ping().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DockerUnreachableError);
        expect((error as Error).message).toMatch(
            /^Docker host tcp:\/\/127\.0\.0\.1:1 is unreachable: connection refused \(no daemon listening\) \[ECONNREFUSED\]\. Check that the daemon listens/,
        );
    });

    it("reports an ssh host that does not answer", async () => {
        const error = await createTenantDockerHost("ssh://deploy@127.0.0.1:1", noGraph).ping().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DockerUnreachableError);
        expect((error as Error).message).toMatch(/^Docker host ssh:\/\/deploy@127\.0\.0\.1:1 is unreachable: .*ECONNREFUSED.*Check that `ssh` to that host works/);
    });

    it("gives up on a daemon that does not answer within the ping timeout", async () => {
        // A listening socket that never answers (neither TLS nor HTTP).
        const { createServer } = await import("node:net");
        const silent = createServer(() => {});
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        const port = (silent.address() as { port: number }).port;
        try {
            const error = await createTenantDockerHost(`tcp://127.0.0.1:${port}`, { ...noGraph, tlsCertPath: tls.client, pingTimeoutMs: 300 })
                .ping()
                .catch((e: unknown) => e);
            expect(error).toBeInstanceOf(DockerUnreachableError);
            expect((error as Error).message).toMatch(new RegExp(`^Docker host tcp://127\\.0\\.0\\.1:${port} is unreachable: no answer within 0\\.3s\\.`));
        } finally {
            silent.close();
        }
    });

    it("leaves errors the daemon itself sent untouched", () => {
        const fromDaemon = Object.assign(new Error("(HTTP code 404) no such container"), { statusCode: 404 });
        expect(asUnreachable(fromDaemon, "unix:///var/run/docker.sock")).toBe(fromDaemon);
        const authFailure = Object.assign(new Error("All configured authentication methods failed"), { level: "client-authentication" });
        expect((asUnreachable(authFailure, "ssh://deploy@h") as Error).message).toMatch(
            /^Docker host ssh:\/\/deploy@h is unreachable: SSH authentication failed: All configured authentication methods failed\./,
        );
    });
});
