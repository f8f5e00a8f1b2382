/**
 * Turns a tenant's `dockerHost` setting into dockerode connection options. Parsing is separate
 * from reading keys and certificates so that it can be tested without touching the file system.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { DockerOptions } from "dockerode";

export type DockerEndpoint =
    | { readonly kind: "unix"; readonly socketPath: string }
    | { readonly kind: "tcp"; readonly host: string; readonly port: number }
    | { readonly kind: "ssh"; readonly host: string; readonly port: number; readonly username: string | undefined };

export class DockerHostFormatError extends Error {
    constructor(readonly dockerHost: string, reason: string) {
        super(
            `dockerHost "${dockerHost}" ${reason}; allowed: unix:///path/to/docker.sock, tcp://host:port, ssh://user@host[:port]`,
        );
        this.name = "DockerHostFormatError";
    }
}

const DEFAULT_SSH_PORT = 22;
const TLS_PORT = 2376; // Docker's convention: 2375 plain, 2376 TLS

export function parseDockerHost(dockerHost: string): DockerEndpoint {
    const trimmed = dockerHost.trim();
    if (trimmed.startsWith("unix://")) {
        const socketPath = trimmed.slice("unix://".length);
        if (!socketPath.startsWith("/")) throw new DockerHostFormatError(dockerHost, "needs an absolute socket path");
        return { kind: "unix", socketPath };
    }
    let url: URL;
    try {
        url = new URL(trimmed);
    } catch {
        throw new DockerHostFormatError(dockerHost, "is not a URL");
    }
    if (url.hostname === "") throw new DockerHostFormatError(dockerHost, "has no host name");
    // URL keeps IPv6 literals in brackets; sockets want them bare.
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (url.protocol === "tcp:") {
        if (url.port === "") throw new DockerHostFormatError(dockerHost, "needs a port (tcp://host:port)");
        return { kind: "tcp", host, port: Number(url.port) };
    }
    if (url.protocol === "ssh:") {
        if (url.password !== "") throw new DockerHostFormatError(dockerHost, "must not contain a password (use an SSH key or agent)");
        return {
            kind: "ssh",
            host,
            port: url.port === "" ? DEFAULT_SSH_PORT : Number(url.port),
            username: url.username === "" ? undefined : decodeURIComponent(url.username),
        };
    }
    throw new DockerHostFormatError(dockerHost, `has an unsupported scheme "${url.protocol}"`);
}

/** What connection options may read from the environment; injectable for tests. */
export interface ConnectionEnvironment {
    readonly env: NodeJS.ProcessEnv;
    readonly homeDir: string;
    readonly currentUser: string;
    readonly readFileIfExists: (path: string) => Buffer | undefined;
}

export function processConnectionEnvironment(): ConnectionEnvironment {
    return {
        env: process.env,
        homeDir: homedir(),
        currentUser: process.env.USER ?? userInfo().username,
        readFileIfExists: (path) => (existsSync(path) ? readFileSync(path) : undefined),
    };
}

const SSH_KEY_FILES = ["id_ed25519", "id_ecdsa", "id_rsa"];

export function dockerOptionsFor(
    endpoint: DockerEndpoint,
    environment: ConnectionEnvironment = processConnectionEnvironment(),
): DockerOptions {
    // docker-modem merges DOCKER_HOST & co. from the environment under the options given: name every
    // field explicitly so that the tenant's setting, not the caller's shell, decides the daemon.
    const cleared: DockerOptions = {
        socketPath: undefined,
        host: undefined,
        port: undefined,
        protocol: undefined,
        username: undefined,
        ca: undefined,
        cert: undefined,
        key: undefined,
    };
    switch (endpoint.kind) {
        case "unix":
            return { ...cleared, socketPath: endpoint.socketPath };
        case "tcp": {
            const tls = endpoint.port === TLS_PORT || environment.env.DOCKER_TLS_VERIFY === "1";
            if (!tls) return { ...cleared, host: endpoint.host, port: endpoint.port, protocol: "http" };
            const certDir = environment.env.DOCKER_CERT_PATH ?? join(environment.homeDir, ".docker");
            return {
                ...cleared,
                host: endpoint.host,
                port: endpoint.port,
                protocol: "https",
                ca: environment.readFileIfExists(join(certDir, "ca.pem")),
                cert: environment.readFileIfExists(join(certDir, "cert.pem")),
                key: environment.readFileIfExists(join(certDir, "key.pem")),
            };
        }
        case "ssh": {
            const agent = environment.env.SSH_AUTH_SOCK;
            // Without an agent, fall back to the first default key file, as `ssh` itself would.
            const privateKey = agent
                ? undefined
                : SSH_KEY_FILES.map((file) => environment.readFileIfExists(join(environment.homeDir, ".ssh", file))).find(
                      (key) => key !== undefined,
                  );
            return {
                ...cleared,
                host: endpoint.host,
                port: endpoint.port,
                protocol: "ssh",
                username: endpoint.username ?? environment.currentUser,
                sshOptions: agent ? { agent } : privateKey ? { privateKey } : {},
            };
        }
    }
}
