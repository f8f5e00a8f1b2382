/**
 * How the engine's processes reach ssh:// Docker hosts. The docker CLI (in the component's commands)
 * and the Docker provider both run `ssh` from the PATH and pass it no options of their own, so the
 * engine runs with a PATH whose first `ssh` is a wrapper that checks host keys against the fleet's
 * known_hosts file only, never prompts, and gives up on an unreachable host within seconds. Nothing of
 * this reaches a stack's state: it is the environment of the Pulumi CLI, not an input of a resource.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { SSH_CONNECT_TIMEOUT_SECONDS } from "../../components/config/dockerHost.js";
import { KNOWN_HOSTS_FILE, parseKeyscan, type KnownHostKey } from "./knownHosts.js";
import { replaceFile } from "./replaceFile.js";

export const SSH_WRAPPER_DIR = join(".fleet", "ssh");

/** The options every fleet connection passes to ssh. */
export function sshOptions(knownHostsPath: string): string[] {
    return [
        "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=yes",
        "-o", `UserKnownHostsFile=${knownHostsPath}`,
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", `ConnectTimeout=${SSH_CONNECT_TIMEOUT_SECONDS}`,
        "-o", "ServerAliveInterval=15",
        "-o", "ServerAliveCountMax=4",
    ];
}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** The first `ssh` on a PATH, skipping the wrapper's own folder. */
function realSsh(path: string, wrapperDir: string): string | undefined {
    for (const dir of path.split(delimiter)) {
        if (dir === "" || resolve(dir) === wrapperDir) continue;
        if (existsSync(join(dir, "ssh"))) return join(dir, "ssh");
    }
    return undefined;
}

/**
 * Writes the wrapper under the project's .fleet folder (rewritten only when it changes) and returns
 * the PATH the engine runs with. Without an ssh client, the PATH is left alone: only ssh:// hosts need it.
 */
export function engineSshPath(repoRoot: string, path: string): string {
    const wrapperDir = resolve(repoRoot, SSH_WRAPPER_DIR);
    const ssh = realSsh(path, wrapperDir);
    if (ssh === undefined) return path;
    const script = [
        "#!/bin/sh",
        "# Written by supabase-fleet (stacks/fleet/sshTransport.ts): host keys checked against the fleet's known_hosts only.",
        `exec ${[ssh, ...sshOptions(resolve(repoRoot, KNOWN_HOSTS_FILE))].map(shellQuote).join(" ")} "$@"`,
        "",
    ].join("\n");
    replaceFile(join(wrapperDir, "ssh"), script, 0o755);
    return [wrapperDir, ...path.split(delimiter).filter((dir) => dir !== "" && resolve(dir) !== wrapperDir)].join(delimiter);
}

/** The host keys a host offers now (ssh-keyscan), for `fleet trust-host` to show and record. */
export function scanHostKeys(host: string, port: number): KnownHostKey[] {
    const result = spawnSync("ssh-keyscan", ["-T", String(SSH_CONNECT_TIMEOUT_SECONDS), "-p", String(port), "--", host], { encoding: "utf8" });
    if (result.error) throw new Error(`ssh-keyscan could not run (${result.error.message}); install the OpenSSH client`);
    const keys = parseKeyscan(result.stdout);
    if (keys.length === 0) throw new Error(`${host}:${port} offered no SSH host key (unreachable, or no SSH server there)`);
    return keys;
}
