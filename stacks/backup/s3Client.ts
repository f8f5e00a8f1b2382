/**
 * The few S3 calls a backup target needs, signed with SigV4 by aws4fetch over Node's fetch: put
 * (single or multipart), get to a file, list, delete. Every body is sent as a buffer of at most one
 * part, so its SHA-256 is signed and the server checks it, and memory stays at one part whatever
 * the file's size. Errors are one line with S3's code and the key; credentials never appear.
 */
import { createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { AwsClient } from "aws4fetch";

/** Where backups go: `s3://<bucket>/<prefix>`. */
export interface S3Location {
    readonly bucket: string;
    /** Empty, or ends with `/`. */
    readonly prefix: string;
}

export interface S3Credentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
}

export interface S3ClientSettings {
    readonly region: string;
    /** A custom endpoint (an S3-compatible server), addressed path-style; AWS's own when unset. */
    readonly endpoint?: string;
    readonly credentials: S3Credentials;
    /** Files above this size go up in parts of this size (S3's minimum part is 5 MiB). */
    readonly partBytes?: number;
}

export interface S3Object {
    readonly key: string;
    readonly bytes: number;
    readonly lastModified: Date;
}

const DEFAULT_PART_BYTES = 64 * 1024 * 1024;
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_PATTERN = /^[A-Za-z0-9._/-]*$/;

/** Parses `s3://bucket[/prefix]`; the error names the setting it came from. */
export function parseS3Url(url: string, setting: string): S3Location {
    const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
    if (!match) throw new S3UsageError(`${setting}: must be s3://<bucket>[/<prefix>] (got a value that is not)`);
    const bucket = match[1]!;
    const prefix = (match[2] ?? "").replace(/\/+$/, "");
    if (!BUCKET_PATTERN.test(bucket) || bucket.includes("..")) throw new S3UsageError(`${setting}: the bucket must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)`);
    if (prefix !== "" && (!PREFIX_PATTERN.test(prefix) || prefix.split("/").some((part) => part === "" || part === "." || part === ".."))) {
        throw new S3UsageError(`${setting}: the prefix may hold letters, digits, '.', '_', '-' and '/' between non-empty path segments`);
    }
    return { bucket, prefix: prefix === "" ? "" : `${prefix}/` };
}

/**
 * The client settings from the standard AWS variables: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN, AWS_REGION (or AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL).
 */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv): S3ClientSettings {
    // An empty variable is an unset one (CI systems set unset variables to "").
    const get = (name: string) => (env[name] === "" ? undefined : env[name]);
    const accessKeyId = get("AWS_ACCESS_KEY_ID");
    const secretAccessKey = get("AWS_SECRET_ACCESS_KEY");
    if (!accessKeyId || !secretAccessKey) throw new S3UsageError("an S3 backup target needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
    const endpoint = get("AWS_ENDPOINT_URL_S3") ?? get("AWS_ENDPOINT_URL");
    if (endpoint !== undefined) {
        let parsed: URL;
        try {
            parsed = new URL(endpoint);
        } catch {
            throw new S3UsageError("AWS_ENDPOINT_URL_S3: must be an http(s) URL like https://s3.example.com");
        }
        if (!["http:", "https:"].includes(parsed.protocol) || parsed.username || parsed.password || parsed.search || parsed.hash) {
            throw new S3UsageError("AWS_ENDPOINT_URL_S3: must be an http(s) URL without credentials, query or fragment");
        }
    }
    const region = get("AWS_REGION") ?? get("AWS_DEFAULT_REGION") ?? "us-east-1";
    if (!/^[a-z0-9-]{2,32}$/.test(region)) throw new S3UsageError("AWS_REGION: must be a region name like eu-central-1");
    return {
        region,
        ...(endpoint ? { endpoint: endpoint.replace(/\/+$/, "") } : {}),
        credentials: { accessKeyId, secretAccessKey, ...(get("AWS_SESSION_TOKEN") ? { sessionToken: get("AWS_SESSION_TOKEN")! } : {}) },
    };
}

export class S3Client {
    private readonly aws: AwsClient;
    private readonly partBytes: number;

    constructor(
        private readonly settings: S3ClientSettings,
        readonly bucket: string,
    ) {
        this.aws = new AwsClient({ ...settings.credentials, service: "s3", region: settings.region });
        this.partBytes = settings.partBytes ?? DEFAULT_PART_BYTES;
    }

    /** Uploads a local file: one PUT up to the part size, a multipart upload above it. */
    async putFile(key: string, path: string, bytes: number): Promise<void> {
        if (bytes <= this.partBytes) {
            const body = bytes === 0 ? Buffer.alloc(0) : await readRange(path, 0, bytes);
            await this.call("PUT", key, { body }, `uploading ${key}`);
            return;
        }
        const created = await this.call("POST", key, { query: "uploads" }, `starting the upload of ${key}`);
        const uploadId = xmlValues(await created.text(), "UploadId")[0];
        if (!uploadId) throw new S3Error(`starting the upload of ${key}: the server returned no UploadId`);
        const parts: string[] = [];
        try {
            for (let offset = 0, number = 1; offset < bytes; offset += this.partBytes, number++) {
                const body = await readRange(path, offset, Math.min(this.partBytes, bytes - offset));
                const response = await this.call("PUT", key, { query: `partNumber=${number}&uploadId=${encodeURIComponent(uploadId)}`, body }, `uploading part ${number} of ${key}`);
                parts.push(`<Part><PartNumber>${number}</PartNumber><ETag>${escapeXmlText(response.headers.get("etag") ?? "")}</ETag></Part>`);
            }
            const body = Buffer.from(`<CompleteMultipartUpload>${parts.join("")}</CompleteMultipartUpload>`);
            const completed = await this.call("POST", key, { query: `uploadId=${encodeURIComponent(uploadId)}`, body }, `completing the upload of ${key}`);
            // S3 may answer 200 with an error document once the parts are assembled.
            const text = await completed.text();
            if (/<Error>/.test(text)) throw new S3Error(`completing the upload of ${key}: ${xmlValues(text, "Code")[0] ?? "error"}`);
        } catch (error) {
            await this.call("DELETE", key, { query: `uploadId=${encodeURIComponent(uploadId)}` }, `aborting the upload of ${key}`).catch(() => undefined);
            throw error;
        }
    }

    async putText(key: string, text: string): Promise<void> {
        await this.call("PUT", key, { body: Buffer.from(text, "utf8") }, `uploading ${key}`);
    }

    async getText(key: string): Promise<string> {
        return (await this.call("GET", key, {}, `reading ${key}`)).text();
    }

    /** Downloads an object into a new file with the given mode. */
    async download(key: string, path: string, mode: number): Promise<void> {
        const response = await this.call("GET", key, {}, `downloading ${key}`);
        if (!response.body) throw new S3Error(`downloading ${key}: the server sent no body`);
        await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(path, { mode, flags: "wx" }));
    }

    /** Every object under `prefix`, following continuation tokens. */
    async list(prefix: string): Promise<S3Object[]> {
        const objects: S3Object[] = [];
        let token: string | undefined;
        do {
            const query = `list-type=2&prefix=${encodeURIComponent(prefix)}${token ? `&continuation-token=${encodeURIComponent(token)}` : ""}`;
            const text = await (await this.call("GET", "", { query }, `listing ${prefix}`)).text();
            for (const contents of xmlValues(text, "Contents")) {
                const key = xmlValues(contents, "Key")[0];
                if (key === undefined) continue;
                objects.push({ key, bytes: Number(xmlValues(contents, "Size")[0] ?? 0), lastModified: new Date(xmlValues(contents, "LastModified")[0] ?? 0) });
            }
            token = xmlValues(text, "IsTruncated")[0] === "true" ? xmlValues(text, "NextContinuationToken")[0] : undefined;
        } while (token);
        return objects;
    }

    async delete(key: string): Promise<void> {
        await this.call("DELETE", key, {}, `deleting ${key}`);
    }

    private url(key: string, query?: string): string {
        const path = key.split("/").map(encodeURIComponent).join("/");
        const base = this.settings.endpoint
            ? `${this.settings.endpoint}/${this.bucket}`
            : `https://${this.bucket}.s3.${this.settings.region}.amazonaws.com`;
        return `${base}/${path}${query ? `?${query}` : ""}`;
    }

    private async call(method: string, key: string, options: { query?: string; body?: Buffer }, what: string): Promise<Response> {
        let response: Response;
        try {
            response = await this.aws.fetch(this.url(key, options.query), {
                method,
                ...(options.body ? { body: options.body } : {}),
            });
        } catch (error) {
            const cause = (error as { cause?: { code?: string; message?: string } }).cause;
            const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
            throw new S3Error(`${what}: the S3 endpoint cannot be reached (${reason})`);
        }
        if (!response.ok) {
            const text = await response.text().catch(() => "");
            const code = xmlValues(text, "Code")[0] ?? `HTTP ${response.status}`;
            throw new S3Error(`${what} in bucket ${this.bucket}: ${code}${code === "NoSuchBucket" ? " (create the bucket first)" : ""}`);
        }
        return response;
    }
}

export class S3Error extends Error {
    constructor(message: string) {
        super(message);
        this.name = "S3Error";
    }
}

/** A problem with the target's settings, found before anything is read or written. */
export class S3UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "S3UsageError";
    }
}

async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
    const handle = await open(path, "r");
    try {
        const buffer = Buffer.alloc(length);
        let read = 0;
        while (read < length) {
            const { bytesRead } = await handle.read(buffer, read, length - read, offset + read);
            if (bytesRead === 0) throw new S3Error(`${path} is shorter than the ${offset + length} bytes the manifest gives`);
            read += bytesRead;
        }
        return buffer;
    } finally {
        await handle.close();
    }
}

/** The text of every `<tag>…</tag>` in an S3 XML answer, entities decoded. */
function xmlValues(xml: string, tag: string): string[] {
    return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((match) => unescapeXml(match[1]!));
}

function unescapeXml(text: string): string {
    return text.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, entity: string) => {
        const named: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };
        if (entity.startsWith("#x") || entity.startsWith("#X")) return String.fromCodePoint(parseInt(entity.slice(2), 16));
        if (entity.startsWith("#")) return String.fromCodePoint(Number(entity.slice(1)));
        return named[entity.toLowerCase()]!;
    });
}

/** Text content: quotes stay as they are (an ETag is quoted, and servers compare it as sent). */
function escapeXmlText(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

