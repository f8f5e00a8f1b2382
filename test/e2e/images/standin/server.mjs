// A stand-in for a service whose real image cannot be built here. It refuses to start without the
// environment variables its service requires, listens on the service's ports inside the tenant
// network, answers every HTTP request (so the health check the component declares passes), and logs
// each request to stdout. Its spec is baked into the image as STANDIN_SPEC (see ../standins.ts).
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { listenFluent } from "./fluent.mjs";

const spec = JSON.parse(process.env.STANDIN_SPEC ?? "{}");
const log = (line) => process.stdout.write(`${new Date().toISOString()} ${spec.service}: ${line}\n`);

const missing = (spec.requiredEnv ?? []).filter((name) => !process.env[name]);
if (missing.length > 0) {
    process.stderr.write(`${spec.service} stand-in: required environment variable(s) not set: ${missing.join(", ")}\n`);
    process.exit(1);
}
if (spec.requiredFileEnv && !existsSync(process.env[spec.requiredFileEnv])) {
    process.stderr.write(`${spec.service} stand-in: ${spec.requiredFileEnv} names ${process.env[spec.requiredFileEnv]}, which does not exist\n`);
    process.exit(1);
}
// A service started with `--config <file>` (vector) must find that file.
const configAt = process.argv.indexOf("--config");
if (configAt >= 0 && !existsSync(process.argv[configAt + 1] ?? "")) {
    process.stderr.write(`${spec.service} stand-in: config file ${process.argv[configAt + 1]} not found\n`);
    process.exit(1);
}

// vector: the log records the Docker daemon sends, for tests to read back (the newest 20000).
const received = [];
if (spec.fluentSocket) {
    listenFluent(spec.fluentSocket, (tag, record) => {
        received.push({ tag, container_name: record?.container_name, source: record?.source, log: record?.log });
        if (received.length > 20000) received.shift();
    });
    log(`taking log records on ${spec.fluentSocket}`);
}

for (const port of spec.ports ?? []) {
    const server = createServer((request, response) => {
        if (spec.fluentSocket && request.url === "/standin/received") {
            response.writeHead(200, { "content-type": "application/json" });
            response.end(JSON.stringify(received));
            return;
        }
        log(`${request.method} ${request.url} on ${port}`);
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ service: spec.service, standIn: true }));
    });
    // A websocket upgrade (realtime through the gateway): switched, then every byte is echoed back, so
    // a test sees a long-lived stream pass the edge proxy in both directions.
    server.on("upgrade", (request, socket) => {
        log(`UPGRADE ${request.url} on ${port}`);
        socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        socket.pipe(socket);
    });
    server.listen(port, "0.0.0.0", () => log(`listening on ${port}`));
}
const stop = () => {
    log("stopping");
    process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
