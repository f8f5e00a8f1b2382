/**
 * Running a command inside a tenant's container through the Docker API, with its standard streams
 * as Node streams: what backups and restores use to run pg_dump, pg_restore and psql in the
 * tenant's own db container (so no database port is ever opened for them). Output is passed on
 * with back-pressure, so a dump of any size streams to disk without being held in memory.
 */
import { Transform, Writable, type TransformCallback, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type Docker from "dockerode";

const HEADER_BYTES = 8;
const STDOUT = 1;
const STDERR = 2;
/** How much of the command's stderr is kept for the error message. */
const STDERR_KEPT_BYTES = 8192;

/**
 * Splits Docker's multiplexed exec stream (frames of an 8-byte header: stream id, three zero bytes,
 * a big-endian length) into stdout, passed on as the transform's output, and stderr, kept (the
 * last few KiB) for the caller's message.
 */
export class ExecDemultiplexer extends Transform {
    private pending: Buffer = Buffer.alloc(0);
    private stderrTail: Buffer = Buffer.alloc(0);

    get stderr(): string {
        return this.stderrTail.toString("utf8");
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
        this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
        while (this.pending.length >= HEADER_BYTES) {
            const stream = this.pending[0]!;
            const length = this.pending.readUInt32BE(4);
            if (this.pending.length < HEADER_BYTES + length) break;
            const payload = this.pending.subarray(HEADER_BYTES, HEADER_BYTES + length);
            if (stream === STDOUT) this.push(payload);
            else if (stream === STDERR) this.keepStderr(payload);
            this.pending = this.pending.subarray(HEADER_BYTES + length);
        }
        done();
    }

    override _flush(done: TransformCallback): void {
        done(this.pending.length > 0 ? new Error(`the exec stream ended inside a frame (${this.pending.length} bytes left)`) : undefined);
    }

    private keepStderr(payload: Buffer): void {
        const joined = Buffer.concat([this.stderrTail, payload]);
        this.stderrTail = joined.length > STDERR_KEPT_BYTES ? joined.subarray(joined.length - STDERR_KEPT_BYTES) : joined;
    }
}

export interface ExecRequest {
    readonly command: readonly string[];
    /** Fed to the command's stdin, which is closed when it ends. */
    readonly stdin?: Readable;
    /** Receives the command's stdout; discarded when unset. */
    readonly stdout?: Writable;
    /** `NAME=value` pairs added to the container's environment for this command only. */
    readonly env?: readonly string[];
    readonly user?: string;
}

export interface ExecResult {
    readonly exitCode: number;
    /** The last few KiB of the command's stderr. */
    readonly stderr: string;
}

export async function execInContainer(container: Docker.Container, request: ExecRequest): Promise<ExecResult> {
    const exec = await container.exec({
        Cmd: [...request.command],
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: request.stdin !== undefined,
        Tty: false,
        ...(request.env ? { Env: [...request.env] } : {}),
        ...(request.user ? { User: request.user } : {}),
    });
    const stream = (await exec.start({ hijack: true, stdin: request.stdin !== undefined })) as NodeJS.ReadWriteStream & { end(): void; destroy(error?: Error): void };
    const demultiplexer = new ExecDemultiplexer();
    const sink = request.stdout ?? discard();
    const feeding = request.stdin
        ? pipeline(request.stdin, stream as unknown as Writable, { end: true }).catch((error: unknown) => {
              stream.destroy(error as Error);
              throw error;
          })
        : Promise.resolve();
    await Promise.all([pipeline(stream as unknown as Readable, demultiplexer, sink), feeding]);
    // The stream ends when the process does; its exit code follows shortly after in the inspect.
    for (let attempt = 0; ; attempt++) {
        const info = await exec.inspect();
        if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, stderr: demultiplexer.stderr };
        if (attempt > 200) throw new Error("the command's stream ended but Docker never reported its exit code");
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
}

function discard(): Writable {
    return new Writable({ write: (_chunk, _encoding, done) => done() });
}
