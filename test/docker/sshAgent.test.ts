import { request, createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Server as SshServer, utils } from "ssh2";
import { sshHttpAgent } from "../../stacks/docker/sshAgent.js";

/**
 * A real SSH server (ssh2's) whose `docker system dial-stdio` pipes each channel to a local HTTP
 * server, as the docker CLI does to the daemon's socket; it counts connections and open channels.
 * (ssh2's server answers a CLOSE at once; the later CLOSE of a real sshd, which waits for its child,
 * is met by the end-to-end suite's resume of a whole tenant over a real sshd.)
 */
describe("sshHttpAgent", () => {
    let http: HttpServer;
    let ssh: SshServer;
    let sshPort = 0;
    const seen = { connections: 0, open: 0, maxOpen: 0, commands: new Set<string>(), closed: 0, sessions: 0, refused: 0 };
    /** Sessions the server allows at a time on one connection, as sshd's MaxSessions. */
    let maxSessions = Infinity;

    beforeAll(async () => {
        http = createHttpServer((req, res) => setTimeout(() => res.end(`answer to ${req.url}`), 20));
        await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
        const httpPort = (http.address() as AddressInfo).port;
        const hostKey = utils.generateKeyPairSync("ed25519").private;
        ssh = new SshServer({ hostKeys: [hostKey] }, (client) => {
            seen.connections += 1;
            client.on("authentication", (context) => (context.method === "password" && context.password === "pw" ? context.accept() : context.reject(["password"])));
            client.on("close", () => (seen.closed += 1));
            client.on("session", (accept, reject) => {
                if (seen.sessions >= maxSessions) {
                    seen.refused += 1;
                    reject();
                    return;
                }
                const session = accept();
                seen.sessions += 1;
                session.once("close", () => (seen.sessions -= 1));
                session.on("exec", (acceptExec, _reject, info) => {
                    seen.commands.add(info.command);
                    const channel = acceptExec();
                    seen.open += 1;
                    seen.maxOpen = Math.max(seen.maxOpen, seen.open);
                    const daemon = connect(httpPort, "127.0.0.1");
                    // A session ends for the server when either side closes it (its stream events come later).
                    let ended = false;
                    const end = () => {
                        if (!ended) seen.open -= 1;
                        ended = true;
                    };
                    channel.once("end", end);
                    daemon.once("close", () => {
                        end();
                        channel.close();
                    });
                    channel.pipe(daemon).pipe(channel);
                });
            });
        });
        await new Promise<void>((resolve) => ssh.listen(0, "127.0.0.1", resolve));
        sshPort = (ssh.address() as AddressInfo).port;
    });
    afterAll(() => {
        ssh.close();
        http.close();
    });

    const get = (agent: ReturnType<typeof sshHttpAgent>, path: string) =>
        new Promise<string>((resolve, reject) => {
            const req = request({ host: "docker", path, agent }, (res) => {
                let body = "";
                res.on("data", (chunk: Buffer) => (body += chunk.toString()));
                res.on("end", () => resolve(body));
            });
            req.on("error", reject);
            req.end();
        });

    it("carries many parallel requests over one SSH connection, at most 8 channels at a time, and closes the connection once idle", async () => {
        const agent = sshHttpAgent({ host: "127.0.0.1", port: sshPort, username: "op", password: "pw" });
        const paths = Array.from({ length: 25 }, (_, i) => `/containers/${i}/json`);
        expect(await Promise.all(paths.map((path) => get(agent, path)))).toEqual(paths.map((path) => `answer to ${path}`));
        expect(seen.connections).toBe(1);
        expect(seen.maxOpen).toBeGreaterThan(1);
        expect(seen.maxOpen).toBeLessThanOrEqual(8);
        expect([...seen.commands]).toEqual(["docker system dial-stdio"]);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(seen.closed).toBe(1);
        // The next request connects again.
        expect(await get(agent, "/version")).toBe("answer to /version");
        expect(seen.connections).toBe(2);
    });

    it("asks again for a channel the server refuses (more sessions than it allows), and every request gets its answer", async () => {
        maxSessions = 2;
        try {
            const agent = sshHttpAgent({ host: "127.0.0.1", port: sshPort, username: "op", password: "pw" });
            const paths = Array.from({ length: 12 }, (_, i) => `/containers/${i}/json`);
            expect(await Promise.all(paths.map((path) => get(agent, path)))).toEqual(paths.map((path) => `answer to ${path}`));
            expect(seen.refused).toBeGreaterThan(0);
        } finally {
            maxSessions = Infinity;
        }
    });

    it("fails each request with the SSH error when the server refuses the login", async () => {
        const agent = sshHttpAgent({ host: "127.0.0.1", port: sshPort, username: "op", password: "wrong" });
        await expect(Promise.all([get(agent, "/a"), get(agent, "/b")])).rejects.toThrow(/authentication methods failed/);
    });
});
