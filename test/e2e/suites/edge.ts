/**
 * The edge proxy on the real engine: a host stack with the real Caddy (built from its Go module, see
 * test/e2e/images/edge-proxy.sh) in front of two tenants on the local daemon, reached by hostname over
 * TLS verified against the proxy's internal CA. Run by backup.test.ts in its worker, after its suite.
 */
import { writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request } from "node:https";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EDGE_DATA_VOLUME, EDGE_INTERNAL_CA_ROOT, EDGE_NETWORK_NAME, EDGE_PROXY_CONTAINER, HOST_SERVICES_LABEL } from "../../../components/hostServices/catalog.js";
import { UNKNOWN_HOST_BODY } from "../../../components/hostServices/caddyfile.js";
import { E2E_DEFAULTS, fleetRunners, freshProjectCopy, removeTenantObjects, run, runOk } from "../support/workspace.js";

const BASE = "edge.test";
const HTTP_PORT = 25980;
const HTTPS_PORT = 25943;
const [A, B] = ["e2eedgea", "e2eedgeb"] as const;

const registry = (refs: readonly string[]) => `${E2E_DEFAULTS}
hosts:
  local:
    dockerHost: unix:///var/run/docker.sock
    portRange: { from: 25900, to: 25939 }
    edge:
      baseDomain: ${BASE}
      tls: internal
      bindAddress: 127.0.0.1
      httpPort: ${HTTP_PORT}
      httpsPort: ${HTTPS_PORT}
tenants:
${refs.map((ref) => `  - ref: ${ref}\n    host: local\n    publishGatewayPorts: false\n`).join("")}`;

interface Reply {
    readonly status: number;
    readonly body: string;
    readonly location?: string;
}

/**
 * An HTTPS request to the proxy on 127.0.0.1 for a hostname, verified against the given CA only. On a
 * new connection each time (agent: false): a reload closes idle kept-alive ones, as a client expects.
 */
function httpsGet(hostname: string, path: string, ca: string | undefined): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: HTTPS_PORT, servername: hostname, path, headers: { host: hostname }, agent: false, ...(ca === undefined ? {} : { ca }), timeout: 20_000 }, (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
    });
}

/** A websocket-style upgrade through the proxy; the gateway stand-in echoes every byte after 101. */
async function openStream(hostname: string, ca: string) {
    const socket = connect({ host: "127.0.0.1", port: HTTPS_PORT, servername: hostname, ca });
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
        socket.once("secureConnect", resolve);
        socket.once("error", reject);
    });
    socket.write(`GET /realtime/v1/websocket HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const waitFor = async (text: string) => {
        for (let i = 0; i < 100 && !received.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
        return received.includes(text);
    };
    return {
        waitFor,
        echo: async (text: string) => {
            socket.write(text);
            return waitFor(text);
        },
        get received() {
            return received;
        },
        close: () => socket.destroy(),
    };
}

const kongLog = (ref: string) => {
    const logs = run("docker", ["logs", `${ref}-kong`]);
    return `${logs.stdout}${logs.stderr}`;
};
const probe = (name: string) => `/rest/v1/edge-probe-${name}-${Math.random().toString(36).slice(2, 10)}`;
const proxyStartedAt = () => runOk("docker", ["inspect", "-f", "{{.State.StartedAt}}", EDGE_PROXY_CONTAINER]).trim();

export function describeEdge(): void {
    describe("the edge proxy of a host stack on the real engine", () => {
        let project = "";
        let ca = "";
        const { fleet, fleetOk } = fleetRunners(() => project);
        const writeRegistry = (refs: readonly string[]) => writeFileSync(join(project, "fleet.yaml"), registry(refs));
        const cleanUp = () => {
            for (const ref of [A, B]) removeTenantObjects(ref);
            const byLabel = (kind: string) => run("docker", [kind, "ls", ...(kind === "container" ? ["-a"] : []), "-q", "--filter", `label=${HOST_SERVICES_LABEL}`]).stdout.split("\n").filter(Boolean);
            const containers = byLabel("container");
            if (containers.length) run("docker", ["rm", "-f", ...containers]);
            for (const kind of ["network", "volume"]) {
                const ids = byLabel(kind);
                if (ids.length) run("docker", [kind, "rm", ...(kind === "volume" ? ["-f"] : []), ...ids]);
            }
        };

        beforeAll(() => {
            cleanUp();
            project = freshProjectCopy();
            writeRegistry([A]);
        });
        afterAll(cleanUp);

        it("a tenant behind the edge refuses to come up while its host stack is missing, and nothing of it is created", () => {
            fleetOk("sync");
            const up = fleet("up", A);
            expect(up.status).toBe(1);
            expect(`${up.stdout}${up.stderr}`).toContain("its host stack is missing");
            expect(runOk("docker", ["ps", "-a", "-q", "--filter", `label=supabase-fleet.tenant=${A}`]).trim()).toBe("");
        }, 300_000);

        it("sync --up deploys the host stack first; the tenant's hostname reaches its gateway over TLS from the internal CA, HTTP redirects, an unknown hostname gets the proxy's 404", async () => {
            // The host stack comes up first; the tenant's earlier failed up left its stack to deploy again.
            expect(fleetOk("sync", "--up")).toContain("up host stacks: 1 succeeded");
            fleetOk("up", A);
            ca = runOk("docker", ["exec", EDGE_PROXY_CONTAINER, "cat", EDGE_INTERNAL_CA_ROOT]);
            expect(ca).toContain("BEGIN CERTIFICATE");

            const path = probe("a");
            const reply = await httpsGet(`${A}.${BASE}`, path, ca);
            expect(reply.status).toBe(200);
            expect(JSON.parse(reply.body)).toMatchObject({ service: "kong" });
            expect(kongLog(A)).toContain(`GET ${path} on 8000`);

            const unknown = await httpsGet(`nobody.${BASE}`, probe("unknown"), ca);
            expect([unknown.status, unknown.body]).toEqual([404, UNKNOWN_HOST_BODY]);
            // A client that trusts only the public CAs refuses it: the certificate is the internal CA's.
            await expect(httpsGet(`${A}.${BASE}`, "/", undefined)).rejects.toThrow(/certificate/);

            const redirect = await httpGet(`${A}.${BASE}`, "/auth/v1/health");
            expect([redirect.status, redirect.location]).toEqual([308, `https://${A}.${BASE}/auth/v1/health`]);
            // Behind the proxy only: the gateway publishes no host port, and the API URL is the hostname.
            expect(runOk("docker", ["port", `${A}-kong`]).trim()).toBe("");
            const outputs = JSON.parse(fleetOk("outputs", A, "--json")) as Record<string, unknown>;
            expect(JSON.stringify(outputs)).toContain(`"https://${A}.${BASE}"`);
        }, 900_000);

        it("adding a tenant updates the routes without restarting the proxy: an open websocket to the first tenant keeps flowing, and each hostname reaches only its own tenant", async () => {
            const stream = await openStream(`${A}.${BASE}`, ca);
            expect(await stream.waitFor("101 Switching Protocols")).toBe(true);
            expect(await stream.echo("before-reload")).toBe(true);
            const startedAt = proxyStartedAt();

            writeRegistry([A, B]);
            const synced = fleetOk("sync", "--up");
            expect(synced).toMatch(/local\s+update\s+e2eedgea: e2eedgea\.edge\.test; e2eedgeb: e2eedgeb\.edge\.test/);
            expect(proxyStartedAt()).toBe(startedAt);
            expect(await stream.echo("after-reload")).toBe(true);

            const [toA, toB] = [probe("a"), probe("b")];
            expect((await httpsGet(`${A}.${BASE}`, toA, ca)).status).toBe(200);
            expect((await httpsGet(`${B}.${BASE}`, toB, ca)).status).toBe(200);
            expect([kongLog(A).includes(toA), kongLog(A).includes(toB)]).toEqual([true, false]);
            expect([kongLog(B).includes(toB), kongLog(B).includes(toA)]).toEqual([true, false]);
            stream.close();
        }, 900_000);

        it("removing a tenant (destroyed, then out of fleet.yaml) takes its hostname off the proxy; the other tenant is still served", async () => {
            const stream = await openStream(`${A}.${BASE}`, ca);
            expect(await stream.waitFor("101 Switching Protocols")).toBe(true);
            fleetOk("destroy", B, "--delete-data", "--yes");
            writeRegistry([A]);
            fleetOk("sync", "--up");
            const gone = await httpsGet(`${B}.${BASE}`, probe("b"), ca);
            expect([gone.status, gone.body]).toEqual([404, UNKNOWN_HOST_BODY]);
            expect((await httpsGet(`${A}.${BASE}`, probe("a"), ca)).status).toBe(200);
            expect(await stream.echo("after-removal")).toBe(true);
            stream.close();
        }, 900_000);

        it("destroy-host is refused while the host has an edge: section and while a deployed tenant is behind the proxy; then it removes the proxy and network and keeps the certificates", () => {
            expect(fleet("destroy-host", "local", "--yes").stderr).toContain("host local still has an edge: section in fleet.yaml");
            writeFileSync(join(project, "fleet.yaml"), `${E2E_DEFAULTS}tenants: []\n`);
            expect(fleetOk("sync")).toMatch(/local\s+unmanaged\s.*fleet destroy-host local --yes removes it/);
            const routed = fleet("destroy-host", "local", "--yes");
            expect([routed.status, routed.stderr]).toEqual([2, `fleet: host stack local still routes deployed tenants ${A}, which publish no gateway port without it: destroy or move them first\n`]);
            expect(proxyStartedAt()).not.toBe("");

            fleetOk("destroy", A, "--delete-data", "--yes");
            expect(fleetOk("destroy-host", "local", "--yes")).toContain(`the certificates stay in ${EDGE_DATA_VOLUME} on unix:///var/run/docker.sock`);
            expect(run("docker", ["inspect", EDGE_PROXY_CONTAINER]).status).not.toBe(0);
            expect(run("docker", ["network", "inspect", EDGE_NETWORK_NAME]).status).not.toBe(0);
            expect(runOk("docker", ["volume", "ls", "-q", "--filter", `name=^${EDGE_DATA_VOLUME}$`]).trim()).toBe(EDGE_DATA_VOLUME);
        }, 900_000);
    });
}

/** A plain HTTP request to the proxy's HTTP port (redirects are not followed). */
function httpGet(hostname: string, path: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: HTTP_PORT, path, headers: { host: hostname }, agent: false, timeout: 20_000 }, (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: "", ...(res.headers.location ? { location: res.headers.location } : {}) }));
        });
        req.on("error", reject);
        req.end();
    });
}
