/**
 * Reading container logs through the Docker API. A container without a TTY (every tenant container)
 * sends its log as a multiplexed stream: frames of an 8-byte header (stream id, 3 zero bytes, a
 * big-endian length) and that many bytes of output. Lines are asked for with timestamps, so the
 * lines of several containers can be merged in the order they were written.
 */
import type { LogLine } from "./types.js";

const HEADER_BYTES = 8;
const STREAMS: Record<number, LogLine["stream"]> = { 1: "stdout", 2: "stderr" };

/**
 * Turns the chunks of one container's multiplexed log into lines. Frames and lines may be split
 * across chunks; `end()` flushes a last line that has no newline.
 */
export class LogDemultiplexer {
    private pending: Buffer = Buffer.alloc(0);
    private readonly partial: Record<LogLine["stream"], string> = { stdout: "", stderr: "" };

    constructor(
        private readonly service: string,
        private readonly onLine: (line: LogLine) => void,
    ) {}

    push(chunk: Buffer): void {
        this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
        while (this.pending.length >= HEADER_BYTES) {
            const stream = STREAMS[this.pending[0]!];
            const length = this.pending.readUInt32BE(4);
            if (stream === undefined) {
                // Not a multiplexed stream (a container with a TTY): the bytes are the output itself.
                this.text("stdout", this.pending.toString("utf8"));
                this.pending = Buffer.alloc(0);
                return;
            }
            if (this.pending.length < HEADER_BYTES + length) return;
            this.text(stream, this.pending.subarray(HEADER_BYTES, HEADER_BYTES + length).toString("utf8"));
            this.pending = this.pending.subarray(HEADER_BYTES + length);
        }
    }

    end(): void {
        for (const stream of ["stdout", "stderr"] as const) {
            if (this.partial[stream] !== "") this.emit(stream, this.partial[stream]);
            this.partial[stream] = "";
        }
    }

    private text(stream: LogLine["stream"], text: string): void {
        const lines = (this.partial[stream] + text).split("\n");
        this.partial[stream] = lines.pop()!;
        for (const line of lines) this.emit(stream, line);
    }

    private emit(stream: LogLine["stream"], raw: string): void {
        // With timestamps, Docker starts every line with "<RFC 3339 nano> ".
        const space = raw.indexOf(" ");
        const stamped = space > 0 && /^\d{4}-\d\d-\d\dT/.test(raw);
        this.onLine({
            service: this.service,
            stream,
            time: stamped ? raw.slice(0, space) : "",
            text: (stamped ? raw.slice(space + 1) : raw).replace(/\r$/, ""),
        });
    }
}

/** Orders lines of several containers by their Docker timestamps (stable for equal ones). */
export function mergeByTime(lines: readonly LogLine[]): LogLine[] {
    return lines
        .map((line, index) => ({ line, index, at: timestampNanos(line.time) }))
        .sort((a, b) => (a.at === b.at ? a.index - b.index : a.at < b.at ? -1 : 1))
        .map((entry) => entry.line);
}

/** RFC 3339 with up to nine fraction digits, as a bigint of nanoseconds (Date keeps only milliseconds). */
function timestampNanos(time: string): bigint {
    const match = /^(.*?T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
    if (!match) return 0n;
    const seconds = Date.parse(`${match[1]}${match[3]}`);
    if (Number.isNaN(seconds)) return 0n;
    return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
}
