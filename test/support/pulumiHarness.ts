/**
 * Runs the real program or component under Pulumi's mocks and records every registration.
 *
 * Mocks must be set before the program is imported (see pulumi-notes.md), so callers import the
 * program with a dynamic `import()` after `installMocks()`.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** Inputs as the engine receives them (secrets as `{ [SECRET_SIG_KEY]: SECRET_SIG, value }`). */
    readonly inputs: Record<string, unknown>;
}

export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Deterministic stand-in for a generated password: readable, and unique per resource. */
export function fakeRandomResult(logicalName: string, length: number): string {
    const seed = `${logicalName.replace(/[^A-Za-z0-9]/g, "")}0123456789`;
    return seed.repeat(Math.ceil(length / seed.length)).slice(0, length);
}

export interface MockRun {
    readonly registrations: Registration[];
}

/** Installs mocks that record registrations; unknown function calls throw. */
export async function installMocks(options: { stack?: string; config?: Record<string, string>; secretKeys?: string[] } = {}): Promise<MockRun> {
    const registrations: Registration[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                registrations.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs: args.inputs });
                const state: Record<string, unknown> = { ...args.inputs };
                if (args.type === "random:index/randomPassword:RandomPassword") {
                    state.result = fakeRandomResult(args.name, Number(args.inputs.length));
                }
                return { id: `${args.name}-id`, state };
            },
            call(args) {
                throw new Error(`unexpected function call under mocks: ${args.token}`);
            },
        },
        "supabase-fleet",
        options.stack ?? "dev",
        false,
    );
    pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
    return { registrations };
}

/** Waits until the resource and every descendant has registered (awaits each urn, repeatedly, until no new child appears). */
export async function settle(root: pulumi.Resource): Promise<void> {
    const seen = new Set<pulumi.Resource>();
    for (;;) {
        const pending: Promise<unknown>[] = [];
        const walk = (resource: pulumi.Resource) => {
            if (!seen.has(resource)) {
                seen.add(resource);
                pending.push(unwrap(resource.urn));
            }
            // Internal but long-stable: the SDK records each resource's children here.
            const children = (resource as unknown as { __childResources?: Set<pulumi.Resource> }).__childResources;
            children?.forEach(walk);
        };
        walk(root);
        if (pending.length === 0) return;
        await Promise.all(pending);
    }
}

/** The plain value of an output (secret or not). */
export function unwrap<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}

export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Strips secret wrappers anywhere in a registered input. */
export function reveal(value: unknown): unknown {
    if (isSecretValue(value)) return reveal(value.value);
    if (Array.isArray(value)) return value.map(reveal);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
    return value;
}

/** `KEY=value` list → object. */
export function envMap(envs: unknown): Record<string, string> {
    const list = reveal(envs) as string[];
    return Object.fromEntries(list.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
}

/**
 * Runs a Pulumi program function the way the language host does (inside the root stack resource),
 * waits for every registration, and returns the stack outputs.
 */
export async function runProgram(program: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
    const outputs = (await pulumi.runtime.runInPulumiStack(program)) ?? {};
    const stack = pulumi.runtime.getStackResource();
    if (stack) await settle(stack);
    return outputs as Record<string, unknown>;
}
