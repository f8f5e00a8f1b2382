/**
 * Start order from a dependency map (`service -> services that must be ready before it starts`).
 * The map itself is owned by `components/services/startGraph.ts`; this file only orders it.
 */

// NoInfer: the service names come from the keys; a dependency outside them is a type error.
export type StartDependencies<S extends string = string> = Readonly<Record<S, readonly NoInfer<S>[]>>;

export class StartOrderError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`invalid start dependencies:\n${problems.map((problem) => `- ${problem}`).join("\n")}`);
        this.name = "StartOrderError";
    }
}

/**
 * Groups services into waves: every service's dependencies sit in earlier waves, and each
 * service sits in the earliest wave that allows. Waves are sorted by name so the result does not
 * depend on the map's key order. Throws `StartOrderError` on unknown dependencies or cycles.
 */
export function startWaves<S extends string>(dependencies: StartDependencies<S>): S[][] {
    const services = Object.keys(dependencies) as S[];
    const problems: string[] = [];
    for (const service of services) {
        for (const dependency of dependencies[service]) {
            if (!(dependency in dependencies)) problems.push(`${service} depends on unknown service "${dependency}"`);
            if (dependency === service) problems.push(`${service} depends on itself`);
        }
    }
    if (problems.length > 0) throw new StartOrderError(problems);

    const waves: S[][] = [];
    const placed = new Set<S>();
    let remaining = services;
    while (remaining.length > 0) {
        const wave = remaining.filter((service) => dependencies[service].every((dependency) => placed.has(dependency)));
        if (wave.length === 0) {
            throw new StartOrderError([`dependency cycle among: ${[...remaining].sort().join(", ")}`]);
        }
        wave.sort();
        wave.forEach((service) => placed.add(service));
        waves.push(wave);
        remaining = remaining.filter((service) => !placed.has(service));
    }
    return waves;
}

/** Stop order: the start waves reversed, so nothing stops before the services that depend on it. */
export function stopWaves<S extends string>(dependencies: StartDependencies<S>): S[][] {
    return startWaves(dependencies).reverse();
}
