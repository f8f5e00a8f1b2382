/**
 * The fleet's own known_hosts file (hosts/known_hosts, beside the host stacks' config, committed and
 * reviewed like them). Every SSH connection to an ssh:// Docker host checks the host's key against
 * it, and only it: the docker CLI and the Docker provider through the ssh wrapper of sshTransport.ts,
 * the fleet's own Docker client through hostKeyVerifier. `fleet trust-host` is what adds keys.
 */
import { createHash, createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { replaceFile } from "./replaceFile.js";

export const KNOWN_HOSTS_FILE = join("hosts", "known_hosts");
const DEFAULT_SSH_PORT = 22;

export interface KnownHostKey {
    readonly keyType: string;
    /** The key blob, base64 as in the file. */
    readonly key: string;
}

interface Entry extends KnownHostKey {
    readonly patterns: readonly string[];
    readonly revoked: boolean;
}

/** How known_hosts names a host: the bare name on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
    return port === DEFAULT_SSH_PORT ? host : `[${host}]:${port}`;
}

/** ssh's fingerprint of a key blob: SHA256 in unpadded base64. */
export function fingerprintOf(key: string): string {
    return `SHA256:${createHash("sha256").update(Buffer.from(key, "base64")).digest("base64").replace(/=+$/, "")}`;
}

function parseEntries(text: string): Entry[] {
    const entries: Entry[] = [];
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        const fields = line.split(/\s+/);
        const marker = fields[0]!.startsWith("@") ? fields.shift() : undefined;
        // A CA line vouches for certificates, which the fleet does not use: it accepts no plain key.
        if (marker === "@cert-authority" || fields.length < 3) continue;
        entries.push({ patterns: fields[0]!.split(","), keyType: fields[1]!, key: fields[2]!, revoked: marker === "@revoked" });
    }
    return entries;
}

/** Whether one known_hosts pattern names the host: plain, or hashed (`|1|salt|hash`, HashKnownHosts). */
function patternNames(pattern: string, name: string): boolean {
    const hashed = /^\|1\|([^|]+)\|([^|]+)$/.exec(pattern);
    if (!hashed) return pattern === name;
    return createHmac("sha1", Buffer.from(hashed[1]!, "base64")).update(name).digest("base64") === hashed[2];
}

/** The keys the file holds for a host (negated and wildcard patterns are never written by the fleet, and never match). */
export function keysFor(text: string, host: string, port: number): { readonly trusted: KnownHostKey[]; readonly revoked: KnownHostKey[] } {
    const name = knownHostsName(host, port);
    const matching = parseEntries(text).filter((entry) => entry.patterns.some((pattern) => patternNames(pattern, name)));
    const pick = (revoked: boolean) => matching.filter((entry) => entry.revoked === revoked).map(({ keyType, key }) => ({ keyType, key }));
    return { trusted: pick(false), revoked: pick(true) };
}

export function readKnownHosts(repoRoot: string): string {
    const path = join(repoRoot, KNOWN_HOSTS_FILE);
    return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/**
 * An ssh2 hostVerifier: the key the server offered must be one of the file's keys for that host, and
 * not revoked. The file is read on each connection, so a `fleet trust-host` counts at once.
 */
export function hostKeyVerifier(repoRoot: string, host: string, port: number): (key: Buffer) => boolean {
    return (offered) => {
        const { trusted, revoked } = keysFor(readKnownHosts(repoRoot), host, port);
        const offeredKey = offered.toString("base64");
        return !revoked.some((entry) => entry.key === offeredKey) && trusted.some((entry) => entry.key === offeredKey);
    };
}

export class HostKeyTrustError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "HostKeyTrustError";
    }
}

export interface TrustRequest {
    readonly host: string;
    readonly port: number;
    /** What ssh-keyscan read from the host. */
    readonly scanned: readonly KnownHostKey[];
    /** The fingerprint the operator got from the host out of band; one of the scanned keys must have it. */
    readonly fingerprint?: string;
    /** Replace keys already recorded for the host (a reinstalled host); refused otherwise when they differ. */
    readonly replace: boolean;
}

/**
 * The file with the host's keys recorded. Keeps every other line as it is. Throws HostKeyTrustError
 * when the fingerprint matches no scanned key, or when the host's recorded keys differ from the
 * scanned ones and `replace` is not set: a changed host key is what an attacker in the middle looks like.
 */
export function withTrustedHost(text: string, request: TrustRequest): { readonly text: string; readonly changed: boolean } {
    const name = knownHostsName(request.host, request.port);
    if (request.scanned.length === 0) throw new HostKeyTrustError(`${name} offered no host key`);
    if (request.fingerprint !== undefined && !request.scanned.some((key) => fingerprintOf(key.key) === request.fingerprint)) {
        throw new HostKeyTrustError(
            `none of ${name}'s host keys has fingerprint ${request.fingerprint} (it offered ${request.scanned.map((key) => `${key.keyType} ${fingerprintOf(key.key)}`).join(", ")}); nothing was recorded`,
        );
    }
    const recorded = keysFor(text, request.host, request.port).trusted;
    const same = (a: readonly KnownHostKey[], b: readonly KnownHostKey[]) => a.length === b.length && a.every((key) => b.some((other) => other.key === key.key));
    if (recorded.length > 0 && same(recorded, request.scanned)) return { text, changed: false };
    if (recorded.length > 0 && !request.replace) {
        throw new HostKeyTrustError(
            `${name}'s host keys differ from the ones in ${KNOWN_HOSTS_FILE} (now ${request.scanned.map((key) => fingerprintOf(key.key)).join(", ")}); if the host was reinstalled, check the new fingerprint out of band and run again with --replace`,
        );
    }
    const kept = text.split("\n").filter((line) => {
        const entry = parseEntries(line)[0];
        return entry === undefined || !entry.patterns.some((pattern) => patternNames(pattern, name));
    });
    const lines = [...kept.filter((line) => line.trim() !== ""), ...request.scanned.map((key) => `${name} ${key.keyType} ${key.key}`)];
    return { text: `${lines.join("\n")}\n`, changed: true };
}

export function writeKnownHosts(repoRoot: string, text: string): void {
    replaceFile(join(repoRoot, KNOWN_HOSTS_FILE), text);
}

/** The keys of ssh-keyscan's output (`host keytype key` lines; its comments go to stderr). */
export function parseKeyscan(output: string): KnownHostKey[] {
    return parseEntries(output).map(({ keyType, key }) => ({ keyType, key }));
}
