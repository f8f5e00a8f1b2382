/**
 * The release rule: a tenant's db image must be of the Postgres major its data directory was written
 * with. Changing `release` from a Postgres 15 set to a Postgres 17 one (or overriding `dbImage` so) is
 * refused until `dbDataPostgresMajor` says the data is 17: that change is the explicit upgrade request.
 */
import { RELEASES, RELEASE_NAMES, isAtLeast, postgresMajorOfImage, serviceImage, type ReleaseName } from "../releases.js";

type Loose = Record<string, unknown>;

/** Settings that only a release with the new API keys reads, with the value that means "not used". */
const SIGNING_KEY_SETTINGS = { signingKeyGeneration: 1, keepPreviousSigningKey: true, opaqueKeyGeneration: 1, keepPreviousOpaqueKeys: true } as const;

/** On a release without the new keys, a changed signing-key setting would be silently ignored: refuse it. */
export function checkSigningKeySettings(config: Loose, problem: (key: string, message: string) => void): void {
    const { release } = config;
    if (!(RELEASE_NAMES as readonly unknown[]).includes(release) || isAtLeast(RELEASES[release as ReleaseName], "0.8.2")) return;
    for (const [key, unused] of Object.entries(SIGNING_KEY_SETTINGS)) {
        if (config[key] !== undefined && config[key] !== unused) problem(key, `applies from release 0.8.2 on (its API keys); ${String(release)} has no such key: leave it unset`);
    }
}

/** A gateway the release has no image for would silently run another one: refuse it. */
export function checkGatewayOfRelease(config: Loose, problem: (key: string, message: string) => void): void {
    const { release, gateway } = config;
    if (gateway !== "envoy" || !(RELEASE_NAMES as readonly unknown[]).includes(release)) return;
    if (RELEASES[release as ReleaseName].envoyImage === undefined) {
        const with_ = RELEASE_NAMES.filter((name) => RELEASES[name].envoyImage !== undefined).join(", ");
        problem("gateway", `envoy needs a release that has it (${with_}); ${String(release)} runs kong only: leave gateway unset or set release`);
    }
}

export function checkReleaseMatchesData(config: Loose, problem: (key: string, message: string) => void): void {
    const { release, dbDataPostgresMajor: dataMajor, dbImage } = config;
    if (!(RELEASE_NAMES as readonly unknown[]).includes(release) || typeof dataMajor !== "number") return;
    const image = serviceImage(RELEASES[release as ReleaseName], "db", typeof dbImage === "string" ? dbImage : undefined, dataMajor);
    const imageMajor = postgresMajorOfImage(image);
    if (imageMajor === undefined || imageMajor === dataMajor) return;
    const what = typeof dbImage === "string" ? `${image} is Postgres ${imageMajor}` : `${String(release)} runs Postgres ${imageMajor} (${image})`;
    problem(
        typeof dbImage === "string" ? "dbImage" : "release",
        `${what}, but the tenant's data directory is Postgres ${dataMajor} (dbDataPostgresMajor; unset means 15) and Postgres cannot open another major's data; ` +
            (imageMajor > dataMajor
                ? `keep an image of Postgres ${dataMajor}; fleet upgrade-db ${String(config.ref)} moves the data to the newer major of its release`
                : `keep a release or image of Postgres ${dataMajor}: data never moves to an older major`),
    );
}
