import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { SECRET_MARK, UNKNOWN_MARK, maskWireProperties } from "../../stacks/plan/masking.js";
import { nameOfUrn } from "../../stacks/plan/recorder.js";

const sig = pulumi.runtime.specialSigKey;
const secret = (value: unknown) => ({ [sig]: pulumi.runtime.specialSecretSig, value });
const mask = (properties: Record<string, unknown>) => maskWireProperties(properties, { nameOfUrn });

describe("maskWireProperties", () => {
    it("keeps plain values and masks exactly what Pulumi marked secret or unknown", () => {
        expect(
            mask({
                name: "dev-db",
                count: 3,
                on: true,
                nothing: null,
                password: secret("hunter2-hunter2"),
                id: pulumi.runtime.unknownValue,
                nested: { list: [1, secret({ deep: "x" }), pulumi.runtime.unknownValue] },
            }),
        ).toEqual({
            name: "dev-db",
            count: 3,
            on: true,
            nothing: null,
            password: SECRET_MARK,
            id: UNKNOWN_MARK,
            nested: { list: [1, SECRET_MARK, UNKNOWN_MARK] },
        });
    });

    it("does not guess from key names: a plain value under a secret-sounding key stays visible", () => {
        expect(mask({ password: "not-marked-secret" })).toEqual({ password: "not-marked-secret" });
    });

    it("keeps the name of a secret env entry and masks its value; other secret lists stay whole", () => {
        expect(
            mask({
                envs: ["A=1", secret("JWT_SECRET=s3cr3t-value"), secret("not an env entry"), pulumi.runtime.unknownValue],
                command: ["run", secret("TOKEN=abc")],
            }),
        ).toEqual({
            envs: ["A=1", `JWT_SECRET=${SECRET_MARK}`, SECRET_MARK, UNKNOWN_MARK],
            command: ["run", SECRET_MARK],
        });
    });

    it("shows output values by their flags, secret before unknown", () => {
        const outputValue = (fields: Record<string, unknown>) => ({ [sig]: pulumi.runtime.specialOutputValueSig, ...fields });
        expect(mask({ a: outputValue({ value: "v" }), b: outputValue({}), c: outputValue({ value: "v", secret: true }), d: outputValue({ secret: true }) })).toEqual({
            a: "v",
            b: UNKNOWN_MARK,
            c: SECRET_MARK,
            d: SECRET_MARK,
        });
    });

    it("names resource references by logical name", () => {
        expect(mask({ ref: { [sig]: pulumi.runtime.specialResourceSig, urn: "urn:pulumi:dev::supabase-fleet::docker:index/network:Network::dev-network" } })).toEqual({
            ref: { resource: "dev-network" },
        });
    });

    it("rejects a signature it does not know rather than printing what it cannot judge", () => {
        expect(() => mask({ odd: { [sig]: "ffff", value: "x" } })).toThrow("unknown Pulumi signature ffff at odd");
    });
});

describe("renderPlan escapes control characters", () => {
    it("shows a newline or escape inside a value escaped, so no value can forge a line", async () => {
        const { renderPlan } = await import("../../stacks/plan/render.js");
        const text = renderPlan({ stack: "s", project: "p", resources: [], outputs: { forged: "x\n  jwtSecret = leaked\u001b[2J" } });
        expect(text).toContain("  forged = x\\u000a  jwtSecret = leaked\\u001b[2J\n");
        expect(text.split("\n").filter((line) => line.includes("jwtSecret"))).toHaveLength(1);
    });
});
