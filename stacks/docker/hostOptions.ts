/**
 * Turns a tenant's `dockerHost` setting into dockerode connection options. Parsing is separate
 * from reading keys and certificates so that it can be tested without touching the file system.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { DockerOptions } from "dockerode";
import type { DockerEndpoint } from "../../components/config/dockerHost.js";

export { DockerHostFormatError, parseDockerHost, type DockerEndpoint } from "../../components/config/dockerHost.js";

const TLS_PORT = 2376; // Docker's convention: 2375 plain, 2376 TLS

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
                username: endpoint.username,
                sshOptions: agent ? { agent } : privateKey ? { privateKey } : {},
            };
        }
    }
}
