/**
 * Turns a tenant's `dockerHost` setting into dockerode connection options. Parsing is separate
 * from reading keys and certificates so that it can be tested without touching the file system.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { Agent } from "node:http";
import type { DockerOptions } from "dockerode";
import { SSH_CONNECT_TIMEOUT_SECONDS, type DockerEndpoint } from "../../components/config/dockerHost.js";
import { sshHttpAgent } from "./sshAgent.js";

export { DockerHostFormatError, parseDockerHost, type DockerEndpoint } from "../../components/config/dockerHost.js";

/** Docker's names for the files of a TLS client folder (DOCKER_CERT_PATH). */
export const TLS_FILES = ["ca.pem", "cert.pem", "key.pem"] as const;

/** A tcp:// host without usable TLS material: nothing is sent to it. */
export class DockerTlsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DockerTlsError";
    }
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
    tlsCertPath?: string,
    /** ssh:// only: decides whether the host key offered is the host's (ssh2's hostVerifier). */
    sshHostVerifier?: (key: Buffer) => boolean,
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
            // Never plain HTTP: whoever reaches a Docker API is root on its host.
            if (tlsCertPath === undefined) throw new DockerTlsError(`tcp://${endpoint.host}:${endpoint.port} needs dockerTlsCertPath (a folder with ca.pem, cert.pem and key.pem)`);
            const [ca, cert, key] = TLS_FILES.map((file) => {
                const content = environment.readFileIfExists(join(tlsCertPath, file));
                if (content === undefined) throw new DockerTlsError(`dockerTlsCertPath ${tlsCertPath} has no readable ${file} (it needs ${TLS_FILES.join(", ")})`);
                return content;
            });
            return { ...cleared, host: endpoint.host, port: endpoint.port, protocol: "https", ca, cert, key };
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
                sshOptions: {
                    ...(agent ? { agent } : privateKey ? { privateKey } : {}),
                    ...(sshHostVerifier ? { hostVerifier: sshHostVerifier } : {}),
                    readyTimeout: SSH_CONNECT_TIMEOUT_SECONDS * 1000,
                },
            };
        }
    }
}

/**
 * The options docker-modem gets: for ssh://, plain HTTP through sshHttpAgent's one shared connection
 * instead of docker-modem's connection per request (see sshAgent.ts).
 */
export function withSharedSshConnection(options: DockerOptions): DockerOptions {
    if (options.protocol !== "ssh") return options;
    const { sshOptions, ...rest } = options;
    const config = { ...sshOptions, host: options.host as string, port: Number(options.port), username: options.username as string };
    // docker-modem takes an agent (and uses it for every request) though dockerode's types omit it.
    const converted: DockerOptions & { agent: Agent } = { ...rest, protocol: "http", agent: sshHttpAgent(config) };
    return converted;
}
