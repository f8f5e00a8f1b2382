/**
 * The release rule: a tenant's db image must be of the Postgres major its data directory was written
 * with. Changing `release` from a Postgres 15 set to a Postgres 17 one (or overriding `dbImage` so) is
 * refused until `dbDataPostgresMajor` says the data is 17: that change is the explicit upgrade request.
 */
import { RELEASES, RELEASE_NAMES, postgresMajorOfImage, serviceImage, type ReleaseName } from "../releases.js";

type Loose = Record<string, unknown>;

export function checkReleaseMatchesData(config: Loose, problem: (key: string, message: string) => void): void {
    const { release, dbDataPostgresMajor: dataMajor, dbImage } = config;
    if (!(RELEASE_NAMES as readonly unknown[]).includes(release) || typeof dataMajor !== "number") return;
    const image = serviceImage(RELEASES[release as ReleaseName], "db", typeof dbImage === "string" ? dbImage : undefined);
    const imageMajor = postgresMajorOfImage(image);
    if (imageMajor === undefined || imageMajor === dataMajor) return;
    const what = typeof dbImage === "string" ? `${image} is Postgres ${imageMajor}` : `${String(release)} runs Postgres ${imageMajor} (${image})`;
    problem(
        typeof dbImage === "string" ? "dbImage" : "release",
        `${what}, but the tenant's data directory is Postgres ${dataMajor} (dbDataPostgresMajor; unset means 15) and Postgres cannot open another major's data; ` +
            `keep the release the tenant runs, or upgrade its data first and then set dbDataPostgresMajor to ${imageMajor} (a new tenant sets it right away)`,
    );
}
