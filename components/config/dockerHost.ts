/**
 * The one parser of a `dockerHost` setting, used by the schema (component, fleet registry) and by the
 * fleet's Docker API client. Strict per scheme, because the value reaches the Docker provider, the
 * docker CLI's environment and ssh: no credentials, no option-like or shell-meaningful characters.
 */
export type DockerEndpoint =
    | { readonly kind: "unix"; readonly socketPath: string }
    | { readonly kind: "tcp"; readonly host: string; readonly port: number }
    | { readonly kind: "ssh"; readonly host: string; readonly port: number; readonly username: string };

export const DOCKER_HOST_FORMS = "unix:///path/to/docker.sock, tcp://host:port, ssh://user@host[:port]";

export class DockerHostFormatError extends Error {
    constructor(readonly dockerHost: string, readonly reason: string) {
        super(`dockerHost "${dockerHost}" ${reason}; allowed: ${DOCKER_HOST_FORMS}`);
        this.name = "DockerHostFormatError";
    }
}

const DEFAULT_SSH_PORT = 22;
/** How long any fleet connection waits for an ssh:// host before it counts as unreachable. */
export const SSH_CONNECT_TIMEOUT_SECONDS = 10;
/** Absolute path of plain segments: nothing a shell, an option parser or `..` could read differently. */
const SOCKET_PATH = /^(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$/;
const HOST_NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^\[([0-9A-Fa-f:.]+)\]$/;
const SSH_USER = /^[a-z_][a-z0-9_.-]{0,31}$/;
const PORT = /^[1-9]\d{0,4}$/;

/** The endpoint a dockerHost names; throws DockerHostFormatError saying what is wrong. */
export function parseDockerHost(dockerHost: string): DockerEndpoint {
    const fail = (reason: string): never => {
        throw new DockerHostFormatError(dockerHost, reason);
    };
    const scheme = /^([a-z]+):\/\/(.*)$/.exec(dockerHost);
    if (!scheme) return fail("is not a URL");
    const [, kind, rest] = scheme as unknown as [string, string, string];
    if (kind === "unix") {
        if (!rest.startsWith("/")) return fail("needs an absolute socket path");
        if (rest.split("/").includes("..") || !SOCKET_PATH.test(rest)) return fail("must be an absolute path of letters, digits, _ . - segments");
        return { kind: "unix", socketPath: rest };
    }
    if (kind !== "tcp" && kind !== "ssh") return fail(`has an unsupported scheme "${kind}:"`);
    let authority = rest;
    let username: string | undefined;
    if (kind === "ssh") {
        const at = authority.lastIndexOf("@");
        if (at === -1) return fail("needs a user (ssh://user@host[:port])");
        username = authority.slice(0, at);
        authority = authority.slice(at + 1);
        if (username.includes(":")) return fail("must not contain a password (use an SSH key or agent)");
        if (!SSH_USER.test(username)) return fail("needs a user name of lowercase letters, digits, _ . - (not starting with -)");
    } else if (authority.includes("@")) {
        return fail("must not contain credentials");
    }
    const hostPort = /^(\[[^\]]*\]|[^:]*)(?::([^:]*))?$/.exec(authority);
    if (!hostPort) return fail("has a malformed host[:port]");
    const [, rawHost, rawPort] = hostPort as unknown as [string, string, string | undefined];
    const ipv6 = IPV6.exec(rawHost)?.[1];
    if (ipv6 === undefined && !HOST_NAME.test(rawHost)) return fail("needs a host name of letters, digits, hyphens and dots, or an IP address");
    const host = ipv6 ?? rawHost;
    if (rawPort === undefined) {
        if (kind === "tcp") return fail("needs a port (tcp://host:port)");
        return { kind: "ssh", host, port: DEFAULT_SSH_PORT, username: username! };
    }
    if (!PORT.test(rawPort) || Number(rawPort) > 65535) return fail("needs a port from 1 to 65535 (no path, query or options)");
    return kind === "tcp" ? { kind, host, port: Number(rawPort) } : { kind, host, port: Number(rawPort), username: username! };
}

/** The problem with a dockerHost, or undefined when it parses. */
export function dockerHostProblem(dockerHost: string): string | undefined {
    try {
        parseDockerHost(dockerHost);
        return undefined;
    } catch (error) {
        if (error instanceof DockerHostFormatError) return `${error.reason}; allowed: ${DOCKER_HOST_FORMS}`;
        throw error;
    }
}

/**
 * The docker CLI's environment for a daemon, as the component's commands run it: DOCKER_HOST and, for
 * tcp://, verified TLS with the host's folder. Other schemes get DOCKER_HOST alone, as they always did.
 */
export function dockerCliEnvironment(dockerHost: string, tlsCertPath: string | undefined): Record<string, string> {
    if (!dockerHost.startsWith("tcp://")) return { DOCKER_HOST: dockerHost };
    return { DOCKER_HOST: dockerHost, DOCKER_TLS_VERIFY: "1", ...(tlsCertPath === undefined ? {} : { DOCKER_CERT_PATH: tlsCertPath }) };
}
