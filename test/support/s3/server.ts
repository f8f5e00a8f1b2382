/**
 * A real S3-compatible server for the backup tests: the Versity S3 Gateway that build.sh makes from
 * Go modules, on a free loopback port, storing into a temporary folder, with credentials made per
 * run. It checks every request's SigV4 signature and payload hash.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../freePort.js";

export const S3_SERVER_BINARY = join(process.env.SUPABASE_FLEET_CACHE ?? join(homedir(), ".cache", "supabase-fleet"), "s3-server", "current", "versitygw");

/** Why the server cannot run here, or undefined; under CI a missing server is an error, not a skip. */
export function s3ServerMissing(): string | undefined {
    if (existsSync(S3_SERVER_BINARY)) return undefined;
    const reason = `no S3 test server at ${S3_SERVER_BINARY} (npm run s3-server builds it)`;
    if (process.env.CI === "true") throw new Error(reason);
    return reason;
}

export interface S3TestServer {
    readonly endpoint: string;
    readonly bucket: string;
    /** The environment the fleet's S3 target reads. */
    readonly env: Record<string, string>;
    /** Where the server keeps the bucket's objects: `<root>/<bucket>/<key>`. */
    readonly root: string;
    stop(): Promise<void>;
}

export async function startS3Server(bucket = "fleet-backups"): Promise<S3TestServer> {
    const root = mkdtempSync(join(tmpdir(), "fleet-s3-"));
    mkdirSync(join(root, bucket));
    // Metadata (ETags, part checksums) in a folder of its own: no need for extended attributes.
    const sidecar = mkdtempSync(join(tmpdir(), "fleet-s3-meta-"));
    const port = await freePort();
    const accessKeyId = `AK${randomBytes(8).toString("hex").toUpperCase()}`;
    const secretAccessKey = randomBytes(24).toString("base64url");
    // Its log goes to a file, not a pipe: a test that blocks in spawnSync reads no pipe, and a full
    // one would stall the server.
    const logFile = join(sidecar, "server.log");
    const log = openSync(logFile, "w");
    const child: ChildProcess = spawn(S3_SERVER_BINARY, ["--quiet", "--port", `127.0.0.1:${port}`, "posix", "--sidecar", sidecar, root], {
        env: { ...process.env, ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
        stdio: ["ignore", log, log],
    });
    closeSync(log);
    const stderr = () => readFileSync(logFile, "utf8").trim().slice(-2000);
    const endpoint = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`the S3 test server exited: ${stderr()}`);
        // Any HTTP answer (an unsigned request gets 403) means it is listening.
        const up = await fetch(endpoint).then(
            () => true,
            () => false,
        );
        if (up) break;
        if (Date.now() > deadline) throw new Error(`the S3 test server did not listen on ${endpoint}: ${stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
        endpoint,
        bucket,
        root,
        env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_S3: endpoint },
        async stop() {
            if (child.exitCode === null) {
                const exited = new Promise((resolve) => child.once("exit", resolve));
                child.kill("SIGTERM");
                await exited;
            }
            rmSync(root, { recursive: true, force: true });
            rmSync(sidecar, { recursive: true, force: true });
        },
    };
}

