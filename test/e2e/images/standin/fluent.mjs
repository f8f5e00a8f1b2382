// The receiving end of Docker's fluentd log driver, for the vector stand-in: fluentd's forward
// protocol over a unix socket, that is msgpack arrays [tag, time, record, option?] one after the
// other on a stream. Decodes the msgpack types the driver writes; records are kept in memory.
import { rmSync } from "node:fs";
import { createServer } from "node:net";

class Incomplete extends Error {}

/** Decodes one msgpack value at `at`; returns [value, next offset], or throws Incomplete. */
function decode(buf, at) {
    const need = (n) => {
        if (at + n > buf.length) throw new Incomplete();
    };
    need(1);
    const byte = buf[at];
    const seq = (count, start, pairs) => {
        const out = pairs ? {} : [];
        let next = start;
        for (let i = 0; i < count; i++) {
            const [first, afterFirst] = decode(buf, next);
            if (pairs) {
                const [second, afterSecond] = decode(buf, afterFirst);
                out[String(first)] = second;
                next = afterSecond;
            } else {
                out.push(first);
                next = afterFirst;
            }
        }
        return [out, next];
    };
    const str = (length, start) => {
        if (start + length > buf.length) throw new Incomplete();
        return [buf.toString("utf8", start, start + length), start + length];
    };
    if (byte <= 0x7f) return [byte, at + 1];
    if (byte >= 0xe0) return [byte - 0x100, at + 1];
    if (byte >= 0x80 && byte <= 0x8f) return seq(byte & 0x0f, at + 1, true);
    if (byte >= 0x90 && byte <= 0x9f) return seq(byte & 0x0f, at + 1, false);
    if (byte >= 0xa0 && byte <= 0xbf) return str(byte & 0x1f, at + 1);
    switch (byte) {
        case 0xc0: return [null, at + 1];
        case 0xc2: return [false, at + 1];
        case 0xc3: return [true, at + 1];
        case 0xc4: need(2); return str(buf[at + 1], at + 2);
        case 0xc5: need(3); return str(buf.readUInt16BE(at + 1), at + 3);
        case 0xc6: need(5); return str(buf.readUInt32BE(at + 1), at + 5);
        case 0xd9: need(2); return str(buf[at + 1], at + 2);
        case 0xda: need(3); return str(buf.readUInt16BE(at + 1), at + 3);
        case 0xdb: need(5); return str(buf.readUInt32BE(at + 1), at + 5);
        case 0xcc: need(2); return [buf[at + 1], at + 2];
        case 0xcd: need(3); return [buf.readUInt16BE(at + 1), at + 3];
        case 0xce: need(5); return [buf.readUInt32BE(at + 1), at + 5];
        case 0xcf: need(9); return [Number(buf.readBigUInt64BE(at + 1)), at + 9];
        case 0xd0: need(2); return [buf.readInt8(at + 1), at + 2];
        case 0xd1: need(3); return [buf.readInt16BE(at + 1), at + 3];
        case 0xd2: need(5); return [buf.readInt32BE(at + 1), at + 5];
        case 0xd3: need(9); return [Number(buf.readBigInt64BE(at + 1)), at + 9];
        case 0xca: need(5); return [buf.readFloatBE(at + 1), at + 5];
        case 0xcb: need(9); return [buf.readDoubleBE(at + 1), at + 9];
        // fixext 8: fluentd's EventTime (seconds, nanoseconds).
        case 0xd7: need(10); return [buf.readUInt32BE(at + 2), at + 10];
        case 0xc7: need(3); { const n = buf[at + 1]; need(3 + n); return [null, at + 3 + n]; }
        case 0xdc: need(3); return seq(buf.readUInt16BE(at + 1), at + 3, false);
        case 0xdd: need(5); return seq(buf.readUInt32BE(at + 1), at + 5, false);
        case 0xde: need(3); return seq(buf.readUInt16BE(at + 1), at + 3, true);
        case 0xdf: need(5); return seq(buf.readUInt32BE(at + 1), at + 5, true);
        default: throw new Error(`msgpack type 0x${byte.toString(16)} not handled`);
    }
}

/** Listens on `path`; each record of each message goes to `onRecord(tag, record)`. */
export function listenFluent(path, onRecord) {
    rmSync(path, { force: true });
    const server = createServer((socket) => {
        let pending = Buffer.alloc(0);
        socket.on("data", (chunk) => {
            pending = Buffer.concat([pending, chunk]);
            for (;;) {
                let message;
                let next;
                try {
                    [message, next] = decode(pending, 0);
                } catch (error) {
                    if (error instanceof Incomplete) return;
                    socket.destroy(error);
                    return;
                }
                pending = pending.subarray(next);
                const [tag, second, third] = message;
                // Message mode [tag, time, record]; forward mode [tag, [[time, record], ...]].
                if (Array.isArray(second)) for (const [, record] of second) onRecord(tag, record);
                else onRecord(tag, third);
            }
        });
    });
    server.listen(path);
    return server;
}
