/**
 * A tcp:// Docker host over mutual TLS, on the real engine: the local daemon behind a TLS front
 * that, like `dockerd --tlsverify`, accepts only clients its CA signed. The fleet's Docker client and
 * the docker CLI environment the component's commands get (dockerCliEnvironment) both reach
 * it with the host's TLS folder, and neither reaches it with another CA's client.
 */
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerCliEnvironment } from "../../components/config/dockerHost.js";
import { DockerUnreachableError, createTenantDockerHost } from "../../stacks/docker/index.js";
import { probeDockerEngine, testDocker } from "../support/dockerFixtures.js";
import { freePort } from "../support/freePort.js";
import { makeTlsFolders, startTlsFront, type TlsFolders } from "../support/tls.js";

const engine = await probeDockerEngine(testDocker());
const mustRun = process.env.CI === "true";

describe.skipIf(!engine.available && !mustRun)("a tcp:// Docker host over verified TLS (real engine)", () => {
    let tls: TlsFolders;
    let front: ChildProcess;
    let dockerHost = "";

    beforeAll(async () => {
        if (!engine.available) throw new Error(`CI=true requires a Docker engine: ${engine.reason}`);
        tls = makeTlsFolders();
        const port = await freePort();
        front = await startTlsFront(tls.server, port);
        dockerHost = `tcp://127.0.0.1:${port}`;
    });

    afterAll(() => {
        front?.kill();
        if (tls) rmSync(tls.root, { recursive: true, force: true });
    });

    it("the fleet's Docker client reaches the daemon with the host's TLS folder", async () => {
        const host = createTenantDockerHost(dockerHost, { tlsCertPath: tls.client, startDependencies: { db: [] } });
        await expect(host.ping()).resolves.toBeUndefined();
        await expect(host.tenantRefs()).resolves.toBeInstanceOf(Array);
    });

    it("a client certificate of another CA is refused by the daemon's side, and a daemon of another CA by the client", async () => {
        for (const folder of [tls.stranger, tls.distrusting]) {
            const error = await createTenantDockerHost(dockerHost, { tlsCertPath: folder, startDependencies: { db: [] } })
                .ping()
                .catch((e: unknown) => e);
            expect(error, folder).toBeInstanceOf(DockerUnreachableError);
            expect((error as Error).message, folder).toMatch(/^Docker host tcp:\/\/127\.0\.0\.1:\d+ is unreachable: (?:TLS failed|connection reset)/);
        }
    });

    it("the docker CLI, given the component's environment for the host, verifies the daemon and presents the client certificate", () => {
        const cli = (certPath: string) =>
            spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { env: { PATH: process.env.PATH, ...dockerCliEnvironment(dockerHost, certPath) }, encoding: "utf8" });
        const trusted = cli(tls.client);
        expect(trusted.status, trusted.stderr).toBe(0);
        expect(trusted.stdout.trim()).toMatch(/^\d+\.\d+/);
        for (const folder of [tls.stranger, tls.distrusting]) expect(cli(folder).status, folder).not.toBe(0);
    });
});
