/**
 * TLS material for a test run, made with openssl: a CA, a server certificate for 127.0.0.1 and a
 * client certificate, each in a folder laid out as Docker expects (ca.pem, cert.pem, key.pem), and a
 * mutual-TLS front for the local Docker socket, as a Docker daemon started with --tlsverify would be.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TlsFolders {
    readonly root: string;
    /** ca.pem, cert.pem, key.pem of the server (127.0.0.1). */
    readonly server: string;
    /** ca.pem, cert.pem, key.pem of a client the CA signed: a dockerTlsCertPath. */
    readonly client: string;
    /** A client certificate of another CA (ca.pem is the right one): the server must refuse it. */
    readonly stranger: string;
    /** The right client certificate, but another CA's ca.pem: the client must refuse the server. */
    readonly distrusting: string;
}

function openssl(args: readonly string[], cwd: string): void {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function certificateAuthority(dir: string): void {
    openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=fleet test CA"], dir);
}

function signed(root: string, caDir: string, name: string, extensions: string): string {
    const dir = join(root, name);
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, "ext.cnf"), `${extensions}\n`);
    openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out", "req.csr", "-subj", `/CN=${name}`], dir);
    openssl(["x509", "-req", "-in", "req.csr", "-CA", join(caDir, "ca.pem"), "-CAkey", join(caDir, "ca-key.pem"), "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "ext.cnf"], dir);
    execFileSync("cp", [join(caDir, "ca.pem"), join(dir, "ca.pem")]);
    chmodSync(join(dir, "key.pem"), 0o600);
    return dir;
}

function withCa(dir: string, caDir: string): string {
    execFileSync("cp", [join(caDir, "ca.pem"), join(dir, "ca.pem")]);
    return dir;
}

export function makeTlsFolders(): TlsFolders {
    const root = mkdtempSync(join(tmpdir(), "fleet-tls-"));
    const ca = join(root, "ca");
    const otherCa = join(root, "other-ca");
    mkdirSync(ca, { mode: 0o700 });
    mkdirSync(otherCa, { mode: 0o700 });
    certificateAuthority(ca);
    certificateAuthority(otherCa);
    return {
        root,
        server: signed(root, ca, "server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"),
        client: signed(root, ca, "client", "extendedKeyUsage=clientAuth"),
        stranger: withCa(signed(root, otherCa, "stranger", "extendedKeyUsage=clientAuth"), ca),
        distrusting: withCa(signed(root, ca, "distrusting", "extendedKeyUsage=clientAuth"), otherCa),
    };
}

/**
 * A TLS listener on 127.0.0.1:<port> that accepts only clients of the server folder's CA and passes
 * their bytes to a unix socket: the local daemon, reachable as a tcp:// host with --tlsverify.
 */
export function startTlsFront(server: string, port: number, socketPath = "/var/run/docker.sock"): Promise<ChildProcess> {
    const script = `
const { readFileSync } = require("node:fs");
const { connect } = require("node:net");
const { createServer } = require("node:tls");
const dir = ${JSON.stringify(server)};
const read = (file) => readFileSync(dir + "/" + file);
const listener = createServer({ ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem"), requestCert: true, rejectUnauthorized: true }, (client) => {
    const daemon = connect(${JSON.stringify(socketPath)});
    client.pipe(daemon).pipe(client);
    client.on("error", () => daemon.destroy());
    daemon.on("error", () => client.destroy());
});
listener.on("tlsClientError", () => {});
listener.listen(${port}, "127.0.0.1", () => process.stdout.write("listening\\n"));
`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    return new Promise((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`the TLS front exited with ${code}`)));
        child.stdout!.once("data", () => resolve(child));
    });
}
