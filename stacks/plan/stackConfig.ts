/**
 * Reads a stack's config the way the Pulumi CLI hands it to a program: project-level defaults from
 * `Pulumi.yaml`, overridden by `Pulumi.<stack>.yaml`, every value a string (numbers and booleans as
 * text, lists and maps as JSON). Encrypted (`secure:`) values are never decrypted: they become
 * OPAQUE_SECRET and their key is listed as secret, so the program treats them as set and opaque.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { OPAQUE_SECRET } from "../../components/config/constants.js";
import { escapeControlCharacters } from "../../components/config/text.js";
import { HOST_PROJECT_NAME, HOST_STACK_CONFIG_DIR } from "../../components/hostServices/catalog.js";
import { PlanError } from "./errors.js";

export interface ProjectFile {
    /** The `name:` of Pulumi.yaml; the namespace of the project's own config keys. */
    readonly name: string;
    /** Defaults declared under `config:` in Pulumi.yaml, by full key (`supabase-fleet:kongHttpPort`). */
    readonly configDefaults: Readonly<Record<string, unknown>>;
}

export interface StackConfig {
    readonly stack: string;
    /** Full key to value, as `pulumi.runtime.setAllConfig` takes it. */
    readonly config: Record<string, string>;
    /** Keys whose value is secret (`secure:` in the stack file). */
    readonly secretKeys: string[];
}

/** Pulumi's own rule for stack names; anything else cannot name a stack file. */
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;
const STACK_FILE = /^Pulumi\.([A-Za-z0-9_.-]+)\.ya?ml$/;
/** Keys that make a Pulumi.yaml config entry a declaration rather than a bare default value. */
const DECLARATION_KEYS = new Set(["type", "description", "default", "secret", "items"]);
/** The top-level sections Pulumi reads from a stack file; any other one is a typo that would be ignored. */
const STACK_FILE_SECTIONS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];
/** `<namespace>:<key>`, printable ASCII without spaces: a key is echoed in messages and set in the program's config. */
const CONFIG_KEY = /^[\x21-\x39\x3b-\x7e]+:[\x21-\x39\x3b-\x7e]+$/;
/** Largest stack file read: far beyond any real one, so a huge file fails fast instead of filling memory. */
const MAX_STACK_FILE_BYTES = 1024 * 1024;
/** Largest value of one key, any namespace: the settings' own limit (MAX_SETTING_BYTES) is smaller still. */
const MAX_STACK_VALUE_BYTES = 64 * 1024;
/** Aliases a file may expand: far beyond any real stack file, far below a billion-laughs bomb. */
const MAX_YAML_ALIASES = 50;

export function readProjectFile(projectDir: string): ProjectFile {
    const path = ["Pulumi.yaml", "Pulumi.yml"].map((file) => join(projectDir, file)).find((candidate) => existsSync(candidate));
    if (path === undefined) throw new PlanError("config", `no Pulumi.yaml in ${projectDir}: run the plan from the project directory`);
    const document = parseYamlFile(path, "Pulumi.yaml");
    const name = document.name;
    if (typeof name !== "string" || name === "") throw new PlanError("config", `${path}: "name" must be the project name`);

    const configDefaults: Record<string, unknown> = {};
    const declared = document.config ?? {};
    if (!isMapping(declared)) throw new PlanError("config", `${path}: "config" must be a mapping of setting declarations`);
    for (const [key, entry] of Object.entries(declared)) {
        const fullKey = key.includes(":") ? key : `${name}:${key}`;
        const isDeclaration = isMapping(entry) && Object.keys(entry).length > 0 && Object.keys(entry).every((k) => DECLARATION_KEYS.has(k));
        const value = isDeclaration ? entry.default : entry;
        if (value !== undefined) configDefaults[fullKey] = value;
    }
    return { name, configDefaults };
}

/** The host stacks' project (components/hostServices): named settings only, no defaults in a Pulumi.yaml. */
export const HOST_PROJECT: ProjectFile = { name: HOST_PROJECT_NAME, configDefaults: {} };

/** Where a project's host stack files are, `hosts/` beside Pulumi.yaml. */
export function hostStacksDir(projectDir: string): string {
    return join(projectDir, HOST_STACK_CONFIG_DIR);
}

/** Host names of every `hosts/Pulumi.<host>.yaml`, sorted; none when the folder does not exist. */
export function listHostStacks(projectDir: string): string[] {
    return existsSync(hostStacksDir(projectDir)) ? listStacks(hostStacksDir(projectDir)) : [];
}

/** Stack names of every `Pulumi.<stack>.yaml` in the project directory, sorted. */
export function listStacks(projectDir: string): string[] {
    return readdirSync(projectDir)
        .map((file) => STACK_FILE.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

export function stackFilePath(projectDir: string, stack: string): string {
    if (!STACK_NAME.test(stack)) {
        throw new PlanError("usage", `invalid stack name ${JSON.stringify(stack)}: stack names are letters, digits, "-", "_" and "."`, stack);
    }
    const path = ["yaml", "yml"].map((ext) => join(projectDir, `Pulumi.${stack}.${ext}`)).find((candidate) => existsSync(candidate));
    if (path === undefined) {
        const known = listStacks(projectDir);
        throw new PlanError(
            "usage",
            `unknown stack "${stack}": there is no Pulumi.${stack}.yaml in ${projectDir} (stacks: ${known.length > 0 ? known.join(", ") : "none"})`,
            stack,
        );
    }
    return path;
}

/** `file`: how messages name the stack file (a host stack's is under hosts/). */
export function readStackConfig(projectDir: string, project: ProjectFile, stack: string, file = `Pulumi.${stack}.yaml`): StackConfig {
    const path = stackFilePath(projectDir, stack);
    const document = parseYamlFile(path, file, stack);
    // Every problem of the file at once, one line each.
    const problems = Object.keys(document)
        .filter((section) => !STACK_FILE_SECTIONS.includes(section))
        .map((section) => `${file}: unknown top-level section ${quoted(section)} (allowed: ${STACK_FILE_SECTIONS.join(", ")})`);
    const stackValues = document.config ?? {};
    if (!isMapping(stackValues)) problems.push(`${file}: "config" must be a mapping of "<namespace>:<key>": value`);

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(project.configDefaults)) config[key] = configText(value);

    for (const [key, value] of Object.entries(isMapping(stackValues) ? stackValues : {})) {
        if (!CONFIG_KEY.test(key)) {
            const example = /^[\x21-\x39\x3b-\x7e]+$/.test(key) ? key : "ref";
            problems.push(`${file}: config key ${quoted(key)} must be "<namespace>:<key>" of printable characters, for example "${project.name}:${example}"`);
            continue;
        }
        if (value === null || value === undefined) {
            problems.push(`${file}: config key "${key}" has no value; give it one or remove the line`);
            continue;
        }
        if (containsSecure(value)) {
            // Never decrypted: the program sees a value that is set, valid and opaque, and only as a secret.
            config[key] = OPAQUE_SECRET;
            secretKeys.push(key);
            continue;
        }
        config[key] = configText(value);
        if (Buffer.byteLength(config[key]) > MAX_STACK_VALUE_BYTES) problems.push(`${file}: config key ${quoted(key)} holds more than ${MAX_STACK_VALUE_BYTES} bytes`);
    }
    if (problems.length > 0) throw new PlanError("config", problems.join("\n"), stack);
    return { stack, config, secretKeys: secretKeys.sort() };
}

/** How the CLI passes a config value to a program: strings as is, everything else as JSON text. */
function configText(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function containsSecure(value: unknown): boolean {
    if (Array.isArray(value)) return value.some(containsSecure);
    if (!isMapping(value)) return false;
    if (Object.keys(value).length === 1 && typeof value.secure === "string") return true;
    return Object.values(value).some(containsSecure);
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function parseYamlFile(path: string, label: string, stack?: string): Record<string, unknown> {
    let bytes: Buffer;
    try {
        bytes = readFileSync(path);
    } catch (error) {
        throw new PlanError("config", `${label}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, stack);
    }
    if (bytes.length > MAX_STACK_FILE_BYTES) throw new PlanError("config", `${label}: is larger than ${MAX_STACK_FILE_BYTES} bytes`, stack);
    let text: string;
    try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        throw new PlanError("config", `${label}: is not valid UTF-8 (first bad byte on line ${firstInvalidUtf8Line(bytes)})`, stack);
    }
    const document = parseDocument(text, { prettyErrors: true });
    if (document.errors.length > 0) {
        // Only the first: later YAML errors are mostly consequences of it.
        const error = document.errors[0]!;
        // The parser points at the repeated key's first character: the key runs to its ": ".
        const repeated = error.code === "DUPLICATE_KEY" ? /^[^\n]*?(?=:(?:\s|$))/.exec(text.slice(error.pos[0]))?.[0] : undefined;
        const key = repeated ? ` (key ${quoted(repeated)})` : "";
        throw new PlanError("config", `${label}: malformed YAML: ${firstLine(error.message)}${key}`, stack);
    }
    let value: unknown;
    try {
        value = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch {
        throw new PlanError("config", `${label}: YAML aliases expand more than ${MAX_YAML_ALIASES} times (a resource exhaustion attack?); write the values out`, stack);
    }
    if (value === null || value === undefined) return {};
    if (!isMapping(value)) throw new PlanError("config", `${label}: must be a YAML mapping (with a "config:" section)`, stack);
    return value;
}

/** The line of the first byte sequence that is not UTF-8. */
function firstInvalidUtf8Line(bytes: Buffer): number {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let line = 1;
    let start = 0;
    for (let index = 0; index <= bytes.length; index++) {
        if (index < bytes.length && bytes[index] !== 0x0a) continue;
        try {
            decoder.decode(bytes.subarray(start, index));
        } catch {
            return line;
        }
        line += 1;
        start = index + 1;
    }
    return line;
}

/** A key or section as the file wrote it, quoted and with control characters escaped (one line, whatever it holds). */
function quoted(text: string): string {
    return `"${escapeControlCharacters(text)}"`;
}

function firstLine(message: string): string {
    return message.split("\n")[0]!.trim().replace(/:$/, "");
}
