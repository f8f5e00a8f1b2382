import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runFleetCli, type KnownHostsStore } from "../../stacks/fleet/cli/main.js";
import { fingerprintOf, hostKeyVerifier, keysFor, withTrustedHost, writeKnownHosts, type KnownHostKey } from "../../stacks/fleet/knownHosts.js";
import { engineSshPath, sshOptions } from "../../stacks/fleet/sshTransport.js";
import { MemoryEngine } from "./doubles/memoryEngine.js";

/** A real ed25519 public key blob (the SSH wire format: string "ssh-ed25519", string key). */
function ed25519Key(): KnownHostKey {
    const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
    return { keyType: "ssh-ed25519", key: Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]).toString("base64") };
}

describe("the fleet's known_hosts", () => {
    const [one, two] = [ed25519Key(), ed25519Key()];

    it("fingerprints a key as ssh-keygen -l does", () => {
        // ssh-keygen -lf on this public key prints SHA256:PiNdMa+v4+agJ5ce42shYLHUNQ7WlVsDpRYLUPedScY.
        expect(fingerprintOf("AAAAC3NzaC1lZDI1NTE5AAAAIEmxQyKzHu79l5oEYY63bXlgS2poYqIm8DuUATwniZ0o")).toBe("SHA256:PiNdMa+v4+agJ5ce42shYLHUNQ7WlVsDpRYLUPedScY");
    });

    it("finds a host's keys under its name with the port, plain or hashed, and keeps revoked keys apart", () => {
        const salt = Buffer.from("0123456789abcdef0123");
        const hashed = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update("[10.0.0.7]:2222").digest("base64")}`;
        const text = [
            "# comment",
            `10.0.0.7 ${one.keyType} ${one.key}`,
            `${hashed} ${two.keyType} ${two.key}`,
            `@revoked [10.0.0.7]:2222 ${one.keyType} ${one.key}`,
            `@cert-authority [10.0.0.7]:2222 ${one.keyType} ${one.key}`,
        ].join("\n");
        expect(keysFor(text, "10.0.0.7", 22)).toEqual({ trusted: [one], revoked: [] });
        expect(keysFor(text, "10.0.0.7", 2222)).toEqual({ trusted: [two], revoked: [one] });
        expect(keysFor(text, "10.0.0.8", 22)).toEqual({ trusted: [], revoked: [] });
    });

    it("verifies an offered key against the file as it is at connection time", () => {
        const root = mkdtempSync(join(tmpdir(), "known-hosts-"));
        const verify = hostKeyVerifier(root, "edge-2.internal", 22);
        expect(verify(Buffer.from(one.key, "base64"))).toBe(false);
        writeKnownHosts(root, `edge-2.internal ${one.keyType} ${one.key}\n`);
        expect([verify(Buffer.from(one.key, "base64")), verify(Buffer.from(two.key, "base64"))]).toEqual([true, false]);
        writeKnownHosts(root, `edge-2.internal ${one.keyType} ${one.key}\n@revoked edge-2.internal ${one.keyType} ${one.key}\n`);
        expect(verify(Buffer.from(one.key, "base64"))).toBe(false);
    });

    it("records a host's keys, keeps other lines, and refuses a changed key without --replace and a fingerprint that matches nothing", () => {
        const other = `# the platform's hosts\nbuild-1 ${two.keyType} ${two.key}\n`;
        const first = withTrustedHost(other, { host: "10.0.0.7", port: 2222, scanned: [one], replace: false });
        expect(first).toEqual({ changed: true, text: `${other}[10.0.0.7]:2222 ${one.keyType} ${one.key}\n` });
        expect(withTrustedHost(first.text, { host: "10.0.0.7", port: 2222, scanned: [one], replace: false })).toEqual({ changed: false, text: first.text });
        expect(() => withTrustedHost(first.text, { host: "10.0.0.7", port: 2222, scanned: [two], replace: false })).toThrow(/differ from the ones in hosts\/known_hosts .*--replace/);
        const replaced = withTrustedHost(first.text, { host: "10.0.0.7", port: 2222, scanned: [two], replace: true });
        expect(replaced.text).toBe(`${other}[10.0.0.7]:2222 ${two.keyType} ${two.key}\n`);
        expect(() => withTrustedHost("", { host: "10.0.0.7", port: 22, scanned: [one], fingerprint: fingerprintOf(two.key), replace: false })).toThrow(
            `none of 10.0.0.7's host keys has fingerprint ${fingerprintOf(two.key)} (it offered ssh-ed25519 ${fingerprintOf(one.key)}); nothing was recorded`,
        );
    });
});

describe("the engine's ssh", () => {
    it("puts a wrapper first on the PATH that checks host keys against the fleet's file only and never prompts", () => {
        const root = mkdtempSync(join(tmpdir(), "ssh-wrapper-"));
        const path = engineSshPath(root, "/usr/local/bin:/usr/bin:/bin");
        const wrapperDir = join(root, ".fleet", "ssh");
        expect(path).toBe(`${wrapperDir}:/usr/local/bin:/usr/bin:/bin`);
        const script = readFileSync(join(wrapperDir, "ssh"), "utf8");
        expect(statSync(join(wrapperDir, "ssh")).mode & 0o111).not.toBe(0);
        expect(script).toContain(`exec '/usr/bin/ssh' ${sshOptions(join(root, "hosts", "known_hosts")).map((option) => `'${option}'`).join(" ")} "$@"`);
        expect(script).toContain("'StrictHostKeyChecking=yes'");
        expect(script).not.toMatch(/StrictHostKeyChecking=(no|accept-new)/);
        // Run twice (or with the wrapper already on the PATH): one wrapper, and it never calls itself.
        expect(engineSshPath(root, path)).toBe(path);
    });
});

describe("fleet trust-host", () => {
    const registry = `hosts:
  local:
    dockerHost: unix:///var/run/docker.sock
    portRange: { from: 40000, to: 40099 }
  edge-2:
    dockerHost: ssh://deploy@10.0.0.7:2222
    portRange: { from: 40000, to: 40099 }
tenants: []
`;
    const setup = (offered: KnownHostKey[]) => {
        const cwd = mkdtempSync(join(tmpdir(), "trust-host-"));
        writeKnownHosts(cwd, "");
        writeFileSync(join(cwd, "fleet.yaml"), registry);
        let file = "";
        const scans: string[] = [];
        const knownHosts: KnownHostsStore = {
            description: "hosts/known_hosts",
            read: () => file,
            write: (text) => (file = text),
            scan: (host, port) => (scans.push(`${host}:${port}`), offered),
        };
        const engine = new MemoryEngine();
        const run = async (argv: string[]) => {
            let [stdout, stderr] = ["", ""];
            const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: {}, cwd };
            return { code: await runFleetCli(argv, io, { knownHosts, engine, hostEngine: new MemoryEngine() }), stdout, stderr };
        };
        return { run, scans, file: () => file };
    };
    const key = ed25519Key();

    it("records the keys the host offers and prints their fingerprints; a second run changes nothing", async () => {
        const { run, scans, file } = setup([key]);
        const first = await run(["trust-host", "edge-2", "--fingerprint", fingerprintOf(key.key)]);
        expect(first).toMatchObject({ code: 0, stderr: "" });
        expect(first.stdout).toContain(`recorded in hosts/known_hosts: [10.0.0.7]:2222 (edge-2), matched the fingerprint given\n  ssh-ed25519 ${fingerprintOf(key.key)}`);
        expect([scans, file()]).toEqual([["10.0.0.7:2222"], `[10.0.0.7]:2222 ssh-ed25519 ${key.key}\n`]);
        expect((await run(["trust-host", "edge-2"])).stdout).toContain("already recorded in hosts/known_hosts");
    });

    it("fleet hosts says which ssh:// host has no key recorded yet, and stops saying it once trust-host ran", async () => {
        const { run } = setup([key]);
        const before = await run(["hosts"]);
        expect(before.stdout).toContain("no host key recorded for edge-2: every connection to it is refused until fleet trust-host edge-2");
        expect(before.stdout).not.toContain("for local");
        expect((JSON.parse((await run(["hosts", "--json"])).stdout) as { hosts: Array<{ hostKeyRecorded: unknown }> }).hosts.map((host) => host.hostKeyRecorded)).toEqual([null, false]);
        await run(["trust-host", "edge-2"]);
        expect((await run(["hosts"])).stdout).not.toContain("no host key recorded");
    });

    it("refuses, in one line and recording nothing: a host not in fleet.yaml, a host that is not ssh://, a malformed or unmatched fingerprint", async () => {
        const { run, file } = setup([key]);
        expect(await run(["trust-host", "edge-3"])).toMatchObject({ code: 2, stderr: "fleet: edge-3 is not a host of fleet.yaml (hosts: local, edge-2)\n" });
        expect(await run(["trust-host", "local"])).toMatchObject({ code: 2, stderr: "fleet: host local is unix:///var/run/docker.sock: only ssh:// hosts have host keys to trust\n" });
        expect((await run(["trust-host", "edge-2", "--fingerprint", "MD5:aa"])).stderr).toMatch(/^fleet: --fingerprint: must be an SSH SHA256 fingerprint/);
        const unmatched = await run(["trust-host", "edge-2", "--fingerprint", fingerprintOf(ed25519Key().key)]);
        expect(unmatched.code).toBe(1);
        expect(unmatched.stderr).toMatch(/^fleet: none of \[10\.0\.0\.7\]:2222's host keys has fingerprint .*nothing was recorded\n$/);
        expect(file()).toBe("");
    });
});
