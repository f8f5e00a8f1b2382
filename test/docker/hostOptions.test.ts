import { describe, expect, it } from "vitest";
import {
    type ConnectionEnvironment,
    DockerHostFormatError,
    DockerTlsError,
    dockerOptionsFor,
    parseDockerHost,
} from "../../stacks/docker/hostOptions.js";

const cleared = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    username: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
};

function environment(env: Record<string, string>, files: Record<string, string> = {}): ConnectionEnvironment {
    return {
        env,
        homeDir: "/home/op",
        currentUser: "op",
        readFileIfExists: (path) => (path in files ? Buffer.from(files[path]!) : undefined),
    };
}

describe("parseDockerHost", () => {
    it.each([
        ["unix:///var/run/docker.sock", { kind: "unix", socketPath: "/var/run/docker.sock" }],
        ["unix:///nonexistent.sock", { kind: "unix", socketPath: "/nonexistent.sock" }],
        ["tcp://10.0.0.5:2375", { kind: "tcp", host: "10.0.0.5", port: 2375 }],
        ["tcp://docker.internal:2376", { kind: "tcp", host: "docker.internal", port: 2376 }],
        ["tcp://[::1]:2375", { kind: "tcp", host: "::1", port: 2375 }],
        ["ssh://deploy@host-1.example.com", { kind: "ssh", host: "host-1.example.com", port: 22, username: "deploy" }],
        ["ssh://deploy@10.0.0.7:2222", { kind: "ssh", host: "10.0.0.7", port: 2222, username: "deploy" }],
    ])("reads %s", (dockerHost, endpoint) => {
        expect(parseDockerHost(dockerHost)).toEqual(endpoint);
    });

    it.each([
        ["unix://relative.sock", 'dockerHost "unix://relative.sock" needs an absolute socket path'],
        ["tcp://10.0.0.5", 'dockerHost "tcp://10.0.0.5" needs a port (tcp://host:port)'],
        ["http://10.0.0.5:2375", 'dockerHost "http://10.0.0.5:2375" has an unsupported scheme "http:"'],
        ["ssh://host-2", 'dockerHost "ssh://host-2" needs a user (ssh://user@host[:port])'],
        ["ssh://deploy:hunter2@host", 'dockerHost "ssh://deploy:hunter2@host" must not contain a password (use an SSH key or agent)'],
        ["/var/run/docker.sock", 'dockerHost "/var/run/docker.sock" is not a URL'],
    ])("refuses %s", (dockerHost, start) => {
        expect(() => parseDockerHost(dockerHost)).toThrow(DockerHostFormatError);
        expect(() => parseDockerHost(dockerHost)).toThrow(
            `${start}; allowed: unix:///path/to/docker.sock, tcp://host:port, ssh://user@host[:port]`,
        );
    });
});

describe("dockerOptionsFor", () => {
    it("maps a unix socket and clears everything DOCKER_HOST could inject", () => {
        expect(dockerOptionsFor(parseDockerHost("unix:///var/run/docker.sock"), environment({}))).toEqual({
            ...cleared,
            socketPath: "/var/run/docker.sock",
        });
    });

    it("maps tcp to https with the CA, certificate and key of the host's TLS folder, whatever DOCKER_CERT_PATH says", () => {
        const files = { "/etc/fleet/tls/ca.pem": "CA", "/etc/fleet/tls/cert.pem": "CERT", "/etc/fleet/tls/key.pem": "KEY", "/certs/ca.pem": "OTHER" };
        expect(dockerOptionsFor(parseDockerHost("tcp://10.0.0.5:2375"), environment({ DOCKER_CERT_PATH: "/certs", DOCKER_TLS_VERIFY: "" }, files), "/etc/fleet/tls")).toEqual({
            ...cleared,
            host: "10.0.0.5",
            port: 2375,
            protocol: "https",
            ca: Buffer.from("CA"),
            cert: Buffer.from("CERT"),
            key: Buffer.from("KEY"),
        });
    });

    it("never speaks plain HTTP to a tcp host: no TLS folder, or one without a file, is an error naming it", () => {
        expect(() => dockerOptionsFor(parseDockerHost("tcp://10.0.0.5:2375"), environment({}))).toThrow(
            new DockerTlsError("tcp://10.0.0.5:2375 needs dockerTlsCertPath (a folder with ca.pem, cert.pem and key.pem)"),
        );
        const files = { "/tls/ca.pem": "CA", "/tls/cert.pem": "CERT" };
        expect(() => dockerOptionsFor(parseDockerHost("tcp://10.0.0.5:2376"), environment({}, files), "/tls")).toThrow(
            new DockerTlsError("dockerTlsCertPath /tls has no readable key.pem (it needs ca.pem, cert.pem, key.pem)"),
        );
    });

    it("maps ssh to docker-modem's ssh protocol, using the agent when there is one", () => {
        expect(
            dockerOptionsFor(parseDockerHost("ssh://deploy@10.0.0.7:2222"), environment({ SSH_AUTH_SOCK: "/tmp/agent.sock" })),
        ).toEqual({
            ...cleared,
            host: "10.0.0.7",
            port: 2222,
            protocol: "ssh",
            username: "deploy",
            sshOptions: { agent: "/tmp/agent.sock", readyTimeout: 10_000 },
        });
    });

    it("falls back to the first default key file and the current user without an agent", () => {
        const files = { "/home/op/.ssh/id_rsa": "RSA KEY", "/home/op/.ssh/id_ecdsa": "ECDSA KEY" };
        expect(dockerOptionsFor(parseDockerHost("ssh://op@host-2"), environment({}, files))).toEqual({
            ...cleared,
            host: "host-2",
            port: 22,
            protocol: "ssh",
            username: "op",
            sshOptions: { privateKey: Buffer.from("ECDSA KEY"), readyTimeout: 10_000 },
        });
    });

    it("passes the host key check on to ssh2, which calls it with the key the host offers", () => {
        const verifier = (key: Buffer) => key.toString() === "the recorded key";
        const options = dockerOptionsFor(parseDockerHost("ssh://op@host-2"), environment({ SSH_AUTH_SOCK: "/tmp/agent.sock" }), undefined, verifier);
        const hostVerifier = (options.sshOptions as { hostVerifier?: (key: Buffer) => boolean }).hostVerifier;
        expect([hostVerifier?.(Buffer.from("the recorded key")), hostVerifier?.(Buffer.from("another key"))]).toEqual([true, false]);
    });
});
