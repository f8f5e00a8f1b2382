/** Errors of the Docker layer, each with a message a user can act on. */

/** The daemon named by a tenant's dockerHost did not answer. */
export class DockerUnreachableError extends Error {
    constructor(
        readonly dockerHost: string,
        readonly reason: string,
        readonly cause?: unknown,
    ) {
        super(`Docker host ${dockerHost} is unreachable: ${reason}. ${fixHint(dockerHost)}`);
        this.name = "DockerUnreachableError";
    }
}

/** A container did not become ready (healthy, or running without a health check) in time. */
export class ServiceNotReadyError extends Error {
    constructor(
        readonly ref: string,
        readonly service: string,
        readonly containerName: string,
        readonly detail: string,
        readonly notStarted: readonly string[],
    ) {
        super(
            `tenant ${ref}: service "${service}" (container ${containerName}) ${detail}` +
                (notStarted.length > 0 ? `; not started because of it: ${notStarted.join(", ")}` : ""),
        );
        this.name = "ServiceNotReadyError";
    }
}

/** Pause/resume found nothing to act on: wrong ref or wrong host, most likely. */
export class TenantNotOnHostError extends Error {
    constructor(
        readonly ref: string,
        readonly dockerHost: string,
    ) {
        super(`tenant ${ref} has no containers on Docker host ${dockerHost} (none labelled supabase-fleet.tenant=${ref})`);
        this.name = "TenantNotOnHostError";
    }
}

function fixHint(dockerHost: string): string {
    if (dockerHost.startsWith("unix://")) {
        return "Start the Docker daemon on this machine (for example `bash .ci/setup-docker.sh`) or set supabase-fleet:dockerHost to the socket it listens on.";
    }
    if (dockerHost.startsWith("ssh://")) {
        return "Check that `ssh` to that host works with your key or agent (SSH_AUTH_SOCK) and that the remote user may run `docker`; or fix supabase-fleet:dockerHost.";
    }
    return "Check that the daemon listens on that address and port with --tlsverify, that no firewall blocks it, and that supabase-fleet:dockerTlsCertPath holds its CA (ca.pem) and a client certificate it trusts (cert.pem, key.pem); or fix supabase-fleet:dockerHost.";
}

const UNREACHABLE_CODES: Readonly<Record<string, string>> = {
    ENOENT: "the socket does not exist (is the daemon running?)",
    ECONNREFUSED: "connection refused (no daemon listening)",
    EACCES: "permission denied on the socket (run as root or join the docker group)",
    EPERM: "permission denied on the socket",
    ETIMEDOUT: "connection timed out",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    ENOTFOUND: "host name not found",
    EAI_AGAIN: "host name lookup failed",
    ECONNRESET: "connection reset",
    EPIPE: "connection closed",
};

/**
 * Returns a `DockerUnreachableError` when `error` says the daemon could not be reached at all
 * (socket, network or SSH failure); returns `error` unchanged for errors the daemon itself sent.
 */
export function asUnreachable(error: unknown, dockerHost: string): unknown {
    if (error instanceof DockerUnreachableError) return error;
    if (typeof error !== "object" || error === null) return error;
    const { code, level, statusCode, message } = error as { code?: unknown; level?: unknown; statusCode?: unknown; message?: unknown };
    if (typeof statusCode === "number") return error; // the daemon answered
    if (typeof code === "string" && code in UNREACHABLE_CODES) {
        return new DockerUnreachableError(dockerHost, `${UNREACHABLE_CODES[code]} [${code}]`, error);
    }
    // Node's TLS: the daemon's certificate did not verify, or the daemon refused ours.
    if (typeof code === "string" && /^(?:ERR_SSL_|ERR_TLS_)|CERT|SELF_SIGNED|UNABLE_TO_/.test(code)) {
        return new DockerUnreachableError(dockerHost, `TLS failed: ${String(message)} [${code}]`, error);
    }
    // ssh2 tags its failures with `level` (client-socket, client-authentication, client-timeout, ...).
    if (typeof level === "string" && level.startsWith("client-")) {
        return new DockerUnreachableError(dockerHost, `SSH ${level.slice("client-".length)} failed: ${String(message)}`, error);
    }
    if (typeof message === "string" && /docker system dial-stdio|socket hang up/i.test(message)) {
        return new DockerUnreachableError(dockerHost, message, error);
    }
    return error;
}
