/**
 * What the offline plan answers in place of the providers. Like a preview of a new stack: a resource's
 * outputs are its inputs, and everything the provider would compute is unknown (ids included) -- except
 * the `random` provider's results, which are fake but deterministic (derived from the logical name),
 * so that the program can sign keys with them and tests know every generated value to search for.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const SPECIAL_DEFAULT = "!@#$%&*()-_=+[]{}<>:?";

/** `bytes` deterministic bytes from a seed (SHA-256 in counter mode). */
function seededBytes(seed: string, bytes: number): Buffer {
    const blocks: Buffer[] = [];
    for (let counter = 0; blocks.length * 32 < bytes; counter++) blocks.push(createHash("sha256").update(`${seed}\u0000${counter}`).digest());
    return Buffer.concat(blocks).subarray(0, bytes);
}

function seededString(seed: string, length: number, alphabet: string): string {
    const bytes = seededBytes(seed, length);
    let text = "";
    for (let i = 0; i < length; i++) text += alphabet[bytes[i]! % alphabet.length];
    return text;
}

function alphabetOf(inputs: Record<string, unknown>): string {
    const on = (key: string) => inputs[key] !== false; // every class is on unless switched off, as in the provider
    let alphabet = (on("lower") ? LOWER : "") + (on("upper") ? UPPER : "") + (on("numeric") ? DIGITS : "");
    if (on("special")) alphabet += typeof inputs.overrideSpecial === "string" && inputs.overrideSpecial !== "" ? inputs.overrideSpecial : SPECIAL_DEFAULT;
    return alphabet === "" ? LOWER : alphabet;
}

/**
 * The fake outputs of a `random` resource, from its type, logical name and inputs; undefined for other
 * types. Exported so tests can compute every value the plan generated and search output for leaks.
 */
export function fakeRandomOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
    const seed = `supabase-fleet-plan:${type}:${name}`;
    const length = typeof inputs.length === "number" ? inputs.length : 16;
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
            return { result: seededString(seed, length, alphabetOf(inputs)) };
        case "random:index/randomBytes:RandomBytes": {
            const bytes = seededBytes(seed, length);
            return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
        }
        case "random:index/randomId:RandomId": {
            const bytes = seededBytes(seed, typeof inputs.byteLength === "number" ? inputs.byteLength : 8);
            const prefix = typeof inputs.prefix === "string" ? inputs.prefix : "";
            return {
                hex: prefix + bytes.toString("hex"),
                b64Url: prefix + bytes.toString("base64url"),
                b64Std: prefix + bytes.toString("base64"),
                dec: prefix + BigInt(`0x${bytes.toString("hex")}`).toString(10),
            };
        }
        case "random:index/randomUuid:RandomUuid": {
            const hex = seededBytes(seed, 16).toString("hex");
            return { result: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}` };
        }
        case "random:index/randomInteger:RandomInteger": {
            const min = typeof inputs.min === "number" ? inputs.min : 0;
            const max = typeof inputs.max === "number" ? inputs.max : min;
            return { result: min + (seededBytes(seed, 4).readUInt32BE(0) % (max - min + 1)) };
        }
        default:
            return undefined;
    }
}

export const planMocks: pulumi.runtime.Mocks = {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const state = { ...args.inputs, ...fakeRandomOutputs(args.type, args.name, args.inputs) };
        // No id: ids are assigned by the provider at deployment, so they stay unknown, as in a preview.
        return { id: undefined, state };
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        throw new Error(
            `the offline plan cannot answer the provider function ${args.token}: it reads live infrastructure; ` +
                "declare the desired state without reading it back",
        );
    },
};
