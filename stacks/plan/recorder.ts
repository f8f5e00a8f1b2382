/**
 * Records what a program registers, in the form the SDK sends to the engine: every
 * RegisterResource request (type, name, parent, inputs in wire form, secrets still marked) and the
 * stack's outputs. It wraps the mock monitor that `setMocks` installed, so the program and the SDK
 * run unchanged. The `dependsOn` option is not in the request as such (the request merges it with
 * the dependencies through inputs), so it is read from a stack transformation, which sees options.
 */
import * as pulumi from "@pulumi/pulumi";

/** A protobuf Struct as the SDK's generated code exposes it. */
interface WireStruct {
    toJavaScript(): Record<string, unknown>;
}

interface RegisterResourceRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getObject(): WireStruct | undefined;
}

interface RegisterResourceResponse {
    getUrn(): string;
}

interface RegisterResourceOutputsRequest {
    getUrn(): string;
    getOutputs(): WireStruct | undefined;
}

type Callback<T> = (error: Error | null, response?: T) => void;

/** The two calls of the monitor the recorder listens to. */
interface RecordableMonitor {
    registerResource(request: RegisterResourceRequest, callback: Callback<RegisterResourceResponse>): void;
    registerResourceOutputs(request: RegisterResourceOutputsRequest, callback: Callback<unknown>): void;
}

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent; empty for the stack. */
    readonly parentUrn: string;
    /** Inputs in wire form: secrets as signature objects, unknowns as the unknown sentinel. */
    readonly inputs: Record<string, unknown>;
}

/** The logical name in a URN (`urn:pulumi:<stack>::<project>::<type chain>::<name>`). */
export function nameOfUrn(urn: string): string {
    return urn.split("::").slice(3).join("::");
}

/** Resolves an Output without `apply` (whose callback never runs for an unknown value). */
function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

async function settle<T>(value: pulumi.Input<T> | undefined): Promise<T | undefined> {
    if (pulumi.Output.isInstance(value)) return outputValue(value as pulumi.Output<T>);
    return await value;
}

export class RegistrationRecorder {
    private readonly resources = new Map<string, RecordedResource>();
    private readonly dependsOnByKey = new Map<string, Promise<string[]>>();
    private readonly pending: Promise<unknown>[] = [];
    private stackOutputs: Record<string, unknown> | undefined;

    /** Installs the recorder on the monitor of the current Pulumi runtime (call right after `setMocks`). */
    constructor() {
        const monitor = pulumi.runtime.getMonitor() as unknown as RecordableMonitor | undefined;
        if (monitor === undefined) throw new Error("no Pulumi monitor: setMocks must run before the recorder is installed");

        const registerResource = monitor.registerResource.bind(monitor);
        monitor.registerResource = (request, callback) => {
            const recorded = new Promise<void>((resolve) => {
                registerResource(request, (error, response) => {
                    if (!error && response) {
                        const urn = response.getUrn();
                        this.resources.set(urn, {
                            urn,
                            type: request.getType(),
                            name: request.getName(),
                            parentUrn: request.getParent(),
                            inputs: request.getObject()?.toJavaScript() ?? {},
                        });
                    }
                    resolve();
                    callback(error, response);
                });
            });
            this.pending.push(recorded);
        };

        const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResourceOutputs = (request, callback) => {
            if (request.getUrn().includes(`::${pulumi.runtime.rootPulumiStackTypeName}::`)) {
                this.stackOutputs = request.getOutputs()?.toJavaScript() ?? {};
            }
            registerResourceOutputs(request, callback);
        };
    }

    /** A stack transformation that notes each resource's `dependsOn` option and changes nothing. */
    readonly transformation: pulumi.ResourceTransformation = (args) => {
        const names = (async () => {
            const value = await settle(args.opts.dependsOn as pulumi.Input<pulumi.Input<pulumi.Resource>[] | pulumi.Resource> | undefined);
            const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
            const resources = await Promise.all(list.map((item) => settle(item)));
            const urns = await Promise.all(resources.filter(pulumi.Resource.isInstance).map((resource) => outputValue(resource.urn)));
            return urns.map(nameOfUrn).sort();
        })();
        this.pending.push(names.catch(() => undefined)); // a failure here surfaces through the registration itself
        this.dependsOnByKey.set(resourceKey(args.type, args.name), names);
        return undefined;
    };

    /** Waits until every registration seen so far, and any it triggered, has been answered. */
    async settled(): Promise<void> {
        for (let seen = 0; seen < this.pending.length; ) {
            const batch = this.pending.slice(seen);
            seen = this.pending.length;
            await Promise.all(batch);
        }
    }

    registered(): RecordedResource[] {
        return [...this.resources.values()];
    }

    async dependsOn(type: string, name: string): Promise<string[]> {
        return (await this.dependsOnByKey.get(resourceKey(type, name))) ?? [];
    }

    outputs(): Record<string, unknown> {
        return this.stackOutputs ?? {};
    }
}

function resourceKey(type: string, name: string): string {
    return `${type}\u0000${name}`;
}
