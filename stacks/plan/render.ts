/**
 * The plan for a person: a stack's containers grouped by service (name, image, ports, health check,
 * start order, mounts, env), then networks, volumes, images, generated secrets (names only), anything
 * else, and the stack outputs. Reads only the PlanDocument, so it shows exactly what the JSON holds:
 * masked values stay masked.
 */
import { SERVICE_NAMES } from "../../components/catalog.js";
import type { PlanDocument, PlanResource, PlanValue } from "./document.js";
import { SECRET_MARK } from "./masking.js";
import { escapeControlCharacters } from "../../components/config/text.js";
import { TYPE_TOKENS } from "../../components/typeTokens.js";

const { container: CONTAINER, network: NETWORK, volume: VOLUME, remoteImage: IMAGE, stack: STACK } = TYPE_TOKENS;
const SERVICE_LABEL = "supabase-fleet.service";
const NO_SERVICE = "(no service label)";
/** Longer env values are cut in the text view (the JSON holds them whole). */
const MAX_VALUE_LENGTH = 160;

type Inputs = PlanResource["inputs"];

export function renderPlan(document: PlanDocument): string {
    const lines: string[] = [];
    const byName = new Map(document.resources.map((resource) => [resource.name, resource]));
    const ofType = (type: string) => document.resources.filter((resource) => resource.type === type);
    const shown = new Set<PlanResource>();
    const show = (resource: PlanResource) => shown.add(resource);

    const release = typeof document.outputs.release === "string" ? `, release ${document.outputs.release}` : "";
    lines.push(`Stack ${document.stack} (project ${document.project}): ${document.resources.length} resources${release}`);

    const containersByService = new Map<string, PlanResource[]>();
    for (const container of ofType(CONTAINER)) {
        const service = labelValue(container.inputs, SERVICE_LABEL) ?? NO_SERVICE;
        containersByService.set(service, [...(containersByService.get(service) ?? []), container]);
    }
    for (const service of [...containersByService.keys()].sort(byServiceOrder)) {
        lines.push("", `Service ${service}`);
        for (const container of containersByService.get(service)!) {
            show(container);
            lines.push(...renderContainer(container, byName).map((line) => `  ${line}`));
        }
    }

    const section = (title: string, resources: PlanResource[], describe: (resource: PlanResource) => string) => {
        if (resources.length === 0) return;
        lines.push("", title);
        for (const resource of resources) show(resource);
        lines.push(...resources.map((resource) => `  ${describe(resource)}`).sort());
    };
    section("Networks", ofType(NETWORK), (network) => `${text(network.inputs.name ?? network.name)}${network.inputs.internal === true ? " (internal)" : ""}`);
    section("Volumes", ofType(VOLUME), (volume) => text(volume.inputs.name ?? volume.name));
    section("Images", ofType(IMAGE), (image) => `${text(image.inputs.name)}${image.inputs.keepLocally === true ? " (kept on destroy)" : ""}`);
    section(
        "Secrets (generated; values never shown)",
        document.resources.filter((resource) => resource.type.startsWith("random:")),
        (secret) => `${secret.name} (${shortType(secret.type)}${typeof secret.inputs.length === "number" ? `, ${secret.inputs.length} characters` : ""})`,
    );
    for (const stack of ofType(STACK)) show(stack);
    section(
        "Other resources",
        document.resources.filter((resource) => !shown.has(resource)),
        (resource) => `${resource.name} (${resource.type})${resource.parent ? `, in ${resource.parent}` : ""}`,
    );

    lines.push("", "Outputs");
    const outputKeys = Object.keys(document.outputs).sort();
    if (outputKeys.length === 0) lines.push("  (none)");
    for (const key of outputKeys) lines.push(`  ${key} = ${text(document.outputs[key]!)}`);
    return `${lines.join("\n")}\n`;
}

function renderContainer(container: PlanResource, byName: ReadonlyMap<string, PlanResource>): string[] {
    const inputs = container.inputs;
    const lines = [`container ${text(inputs.name ?? container.name)}`];
    const field = (label: string, values: string[]) => {
        values.forEach((value, index) => lines.push(`  ${(index === 0 ? label : "").padEnd(10)} ${value}`));
    };
    field("image", [text(inputs.image ?? null)]);
    if (inputs.entrypoints !== undefined) field("entrypoint", [argv(inputs.entrypoints)]);
    if (inputs.command !== undefined) field("command", [argv(inputs.command)]);
    const ports = list(inputs.ports).map(describePort);
    field("ports", ports.length > 0 ? ports : ["(none published)"]);
    field("health", [inputs.healthcheck === undefined ? "(none)" : describeHealthcheck(inputs.healthcheck)]);
    // The image a container waits for is on the image line already.
    const after = container.dependsOn.flatMap((name) => {
        const dependency = byName.get(name);
        if (dependency?.type === IMAGE) return [];
        return [dependency?.type === CONTAINER ? text(dependency.inputs.name ?? name) : name];
    });
    field("starts", [after.length === 0 ? "first (no start-order dependency)" : `after ${after.join(", ")}`]);
    if (inputs.wait === true) {
        field("ready", [`when healthy (the deployment waits${typeof inputs.waitTimeout === "number" ? ` up to ${inputs.waitTimeout}s` : ""})`]);
    }
    field("mounts", [
        ...list(inputs.volumes).map(describeVolume),
        ...list(inputs.mounts).map(describeMount),
        ...list(inputs.uploads).map(describeUpload),
    ]);
    field("env", list(inputs.envs).map((entry) => cut(text(entry))));
    if (inputs.networksAdvanced !== undefined) field("networks", list(inputs.networksAdvanced).map(describeNetworkAttachment));
    return lines;
}

function byServiceOrder(a: string, b: string): number {
    const rank = (service: string) => {
        const index = (SERVICE_NAMES as readonly string[]).indexOf(service);
        return index === -1 ? SERVICE_NAMES.length : index;
    };
    return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function labelValue(inputs: Inputs, label: string): string | undefined {
    for (const entry of list(inputs.labels)) {
        if (isObject(entry) && entry.label === label && typeof entry.value === "string") return entry.value;
    }
    return undefined;
}

function describePort(port: PlanValue): string {
    if (!isObject(port)) return text(port);
    const host = port.ip === undefined ? "" : `${text(port.ip)}:`;
    const external = port.external === undefined ? "(any)" : text(port.external);
    return `${host}${external} -> ${text(port.internal ?? null)}/${text(port.protocol ?? "tcp")}`;
}

function describeHealthcheck(check: PlanValue): string {
    if (!isObject(check)) return text(check);
    const timing = [
        check.interval !== undefined ? `every ${text(check.interval)}` : undefined,
        check.timeout !== undefined ? `timeout ${text(check.timeout)}` : undefined,
        check.retries !== undefined ? `${text(check.retries)} retries` : undefined,
        check.startPeriod !== undefined ? `start period ${text(check.startPeriod)}` : undefined,
    ].filter((part): part is string => part !== undefined);
    return `${words(check.tests ?? null)}${timing.length > 0 ? ` (${timing.join(", ")})` : ""}`;
}

function describeVolume(volume: PlanValue): string {
    if (!isObject(volume)) return text(volume);
    const source = volume.volumeName !== undefined ? `volume ${text(volume.volumeName)}` : `host ${text(volume.hostPath ?? null)}`;
    return `${source} -> ${text(volume.containerPath ?? null)}${volume.readOnly === true ? " (read-only)" : ""}`;
}

function describeMount(mount: PlanValue): string {
    if (!isObject(mount)) return text(mount);
    return `${text(mount.type ?? "mount")} ${text(mount.source ?? "")} -> ${text(mount.target ?? null)}${mount.readOnly === true ? " (read-only)" : ""}`;
}

function describeUpload(upload: PlanValue): string {
    if (!isObject(upload)) return text(upload);
    const content = upload.content ?? upload.contentBase64;
    const size = typeof content === "string" && content !== SECRET_MARK ? `${Buffer.byteLength(content)} bytes` : text(content ?? null);
    return `file ${text(upload.file ?? null)} (${size}${upload.executable === true ? ", executable" : ""})`;
}

function describeNetworkAttachment(network: PlanValue): string {
    if (!isObject(network)) return text(network);
    const aliases = list(network.aliases).map(text);
    return `${text(network.name ?? null)}${aliases.length > 0 ? ` as ${aliases.join(", ")}` : ""}`;
}

function shortType(type: string): string {
    return type.split(":").pop() ?? type;
}

function list(value: PlanValue | undefined): PlanValue[] {
    if (value === undefined) return [];
    return Array.isArray(value) ? value : [value];
}

function isObject(value: PlanValue | undefined): value is { [key: string]: PlanValue } {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A command line; a multi-line argument (an inline script) is summarised, the JSON holds it whole. */
function argv(value: PlanValue): string {
    if (!Array.isArray(value)) return text(value);
    return value.map((arg) => (typeof arg === "string" && arg.includes("\n") ? `<script, ${arg.split("\n").length} lines>` : text(arg))).join(" ");
}

function words(value: PlanValue): string {
    return Array.isArray(value) ? value.map(text).join(" ") : text(value);
}

/** Control characters and line separators are shown escaped, so that no value can forge a line of the plan. */
function text(value: PlanValue): string {
    return escapeControlCharacters(typeof value === "string" ? value : JSON.stringify(value));
}

function cut(value: string): string {
    return value.length <= MAX_VALUE_LENGTH ? value : `${value.slice(0, MAX_VALUE_LENGTH)}... (${value.length} characters)`;
}
