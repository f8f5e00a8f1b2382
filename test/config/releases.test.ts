/**
 * The release setting: what an unset one means, which releases exist, and the rule that a tenant's db
 * image must be of its data directory's Postgres major.
 */
import { describe, expect, it } from "vitest";
import { TenantConfigError, parseTenantConfig } from "../../components/config/load.js";
import { DEFAULT_RELEASE, RELEASES, RELEASE_NAMES, UNSET_RELEASE, postgresMajorOfImage, serviceImage } from "../../components/releases.js";

const BASE = { ref: "acme", authEmailAutoconfirm: true };

function problemsOf(raw: Record<string, unknown>): string[] {
    try {
        parseTenantConfig(raw, "test");
        return [];
    } catch (error) {
        if (error instanceof TenantConfigError) return [...error.problems];
        throw error;
    }
}

describe("release setting", () => {
    it("an unset release means feb-2026 on Postgres 15 data, whatever the default for new tenants is", () => {
        const config = parseTenantConfig(BASE, "test");
        expect([config.release, config.dbDataPostgresMajor]).toEqual(["feb-2026", 15]);
        expect(UNSET_RELEASE).toBe("feb-2026");
        expect(DEFAULT_RELEASE).not.toBe(UNSET_RELEASE);
    });

    it("new tenants default to the latest release", () => {
        expect(DEFAULT_RELEASE).toBe(RELEASE_NAMES[RELEASE_NAMES.length - 1]);
        expect(RELEASES[DEFAULT_RELEASE].images.db).toBe("supabase/postgres:17.6.1.136");
    });

    it("refuses an unknown release, naming the known ones", () => {
        expect(problemsOf({ ...BASE, release: "0.9.0" })).toEqual(['supabase-fleet:release: must be one of feb-2026, 0.8.2 (got "0.9.0")']);
    });

    it("the gateway: unset means kong on every release; envoy on 0.8.2 only, refused on feb-2026 in one line", () => {
        expect(parseTenantConfig({ ...BASE, release: "0.8.2", dbDataPostgresMajor: 17 }, "test").gateway).toBe("kong");
        expect(problemsOf({ ...BASE, release: "0.8.2", dbDataPostgresMajor: 17, gateway: "envoy" })).toEqual([]);
        expect(problemsOf({ ...BASE, gateway: "envoy" })).toEqual(['supabase-fleet:gateway: envoy needs a release that has it (0.8.2); feb-2026 runs kong only: leave gateway unset or set release (got "envoy")']);
        expect(problemsOf({ ...BASE, gateway: "nginx" })).toEqual(['supabase-fleet:gateway: must be one of kong, envoy (got "nginx")']);
        expect(RELEASES["0.8.2"].newTenantGateway).toBe("envoy");
        expect(serviceImage(RELEASES["0.8.2"], "kong", undefined, 17, "envoy")).toBe("envoyproxy/envoy:v1.39.1");
        expect(serviceImage(RELEASES["0.8.2"], "kong", "example/gw:1", 17, "envoy")).toBe("example/gw:1");
        expect(serviceImage(RELEASES["0.8.2"], "kong", undefined, 17)).toBe("kong/kong:3.9.3");
    });

    it("accepts 0.8.2 on Postgres 17 data (a new tenant) and reads Pulumi's string form of the major", () => {
        expect(problemsOf({ ...BASE, release: "0.8.2", dbDataPostgresMajor: 17 })).toEqual([]);
        expect(parseTenantConfig({ ...BASE, release: "0.8.2", dbDataPostgresMajor: "17" }, "test").dbDataPostgresMajor).toBe(17);
    });

    it("moves a Postgres 15 tenant to 0.8.2 on 0.8.2's Postgres 15 image: its data never meets Postgres 17", () => {
        for (const data of [{}, { dbDataPostgresMajor: 15 }]) {
            const config = parseTenantConfig({ ...BASE, release: "0.8.2", ...data }, "test");
            expect(config.dbDataPostgresMajor).toBe(15);
            expect(serviceImage(RELEASES[config.release], "db", undefined, config.dbDataPostgresMajor)).toBe("supabase/postgres:15.8.1.085");
        }
    });

    it("refuses putting Postgres 17 data back on the Postgres 15 release", () => {
        expect(problemsOf({ ...BASE, release: "feb-2026", dbDataPostgresMajor: 17 })[0]).toMatch(/^supabase-fleet:release: feb-2026 runs Postgres 15 /);
    });

    it("lets a per-service image override stay within the data's major, and refuses one that leaves it", () => {
        expect(problemsOf({ ...BASE, dbImage: "supabase/postgres:15.8.1.100" })).toEqual([]);
        expect(problemsOf({ ...BASE, dbImage: "supabase/postgres:17.6.1.136" })[0]).toMatch(
            /^supabase-fleet:dbImage: supabase\/postgres:17\.6\.1\.136 is Postgres 17, but the tenant's data directory is Postgres 15/,
        );
        // A digest has no version to read: the user pinned it knowingly.
        expect(problemsOf({ ...BASE, dbImage: `supabase/postgres@sha256:${"a".repeat(64)}` })).toEqual([]);
    });
});

describe("signing-key settings", () => {
    const NOVA = { ...BASE, release: "0.8.2", dbDataPostgresMajor: 17 };
    it("take a generation from 1 up, and the keep switch, on 0.8.2", () => {
        expect(problemsOf({ ...NOVA, signingKeyGeneration: 3, keepPreviousSigningKey: false })).toEqual([]);
        expect(parseTenantConfig(NOVA, "test")).toMatchObject({ signingKeyGeneration: 1, keepPreviousSigningKey: true });
        expect(problemsOf({ ...NOVA, signingKeyGeneration: 0 })).toEqual(["supabase-fleet:signingKeyGeneration: must be at least 1 (generation of the ES256 signing key) (got 0)"]);
        expect(problemsOf({ ...NOVA, signingKeyGeneration: 1.5 })[0]).toMatch(/^supabase-fleet:signingKeyGeneration: must be a whole number/);
    });

    it("are refused on feb-2026, which has no signing key, rather than silently ignored", () => {
        expect(problemsOf({ ...BASE, signingKeyGeneration: 2 })).toEqual(["supabase-fleet:signingKeyGeneration: applies from release 0.8.2 on (its API keys); feb-2026 has no such key: leave it unset (got 2)"]);
        expect(problemsOf({ ...BASE, keepPreviousSigningKey: false })).toHaveLength(1);
        expect(problemsOf({ ...BASE, signingKeyGeneration: 1, keepPreviousSigningKey: true })).toEqual([]);
    });
});

describe("release catalog", () => {
    it("gives every release an image for every service and a db image of its own Postgres major", () => {
        for (const name of RELEASE_NAMES) {
            const release = RELEASES[name];
            expect(release.name).toBe(name);
            expect(Object.keys(release.images).length).toBe(13);
            expect(postgresMajorOfImage(release.images.db)).toBe(release.postgresMajor);
        }
    });

    it("runs a data directory of an older major on the release's image for it, and refuses a major it has no image for", () => {
        for (const name of RELEASE_NAMES) {
            for (const [major, image] of Object.entries(RELEASES[name].olderPostgresImages ?? {})) {
                expect(postgresMajorOfImage(image)).toBe(Number(major));
                expect(Number(major)).toBeLessThan(RELEASES[name].postgresMajor);
                expect(serviceImage(RELEASES[name], "db", undefined, Number(major))).toBe(image);
            }
        }
        expect(serviceImage(RELEASES["0.8.2"], "db", undefined, 15)).toBe("supabase/postgres:15.8.1.085");
        expect(serviceImage(RELEASES["0.8.2"], "db", undefined, 17)).toBe("supabase/postgres:17.6.1.136");
        expect(serviceImage(RELEASES["0.8.2"], "rest", undefined, 15)).toBe(RELEASES["0.8.2"].images.rest);
        expect(serviceImage(RELEASES["0.8.2"], "db", "example/pg:15.1", 17)).toBe("example/pg:15.1");
        // feb-2026 has no Postgres 17 image: its own 15 is what the release rule then compares and refuses.
        expect(serviceImage(RELEASES["feb-2026"], "db", undefined, 17)).toBe(RELEASES["feb-2026"].images.db);
    });

    it("pins 0.8.2 to upstream's 0.8.1/0.8.2 image set (gateway: its Kong overlay)", () => {
        expect(RELEASES["0.8.2"].images).toEqual({
            db: "supabase/postgres:17.6.1.136",
            vector: "timberio/vector:0.53.0-alpine",
            analytics: "supabase/logflare:1.50.10",
            kong: "kong/kong:3.9.3",
            auth: "supabase/gotrue:v2.196.0",
            rest: "postgrest/postgrest:v14.17",
            realtime: "supabase/realtime:v2.134.10",
            storage: "supabase/storage-api:v1.74.0",
            imgproxy: "darthsim/imgproxy:v3.31.4",
            meta: "supabase/postgres-meta:v0.99.0",
            functions: "supabase/edge-runtime:v1.76.2",
            studio: "supabase/studio:2026.09.07-sha-7996410",
            supavisor: "supabase/supavisor:2.9.12",
        });
    });

    it("reads the Postgres major of an image tag", () => {
        expect(postgresMajorOfImage("supabase/postgres:15.8.1.085")).toBe(15);
        expect(postgresMajorOfImage("registry.example.com:5000/supabase/postgres:17.6.1.136")).toBe(17);
        expect(postgresMajorOfImage("supabase/postgres:latest")).toBeUndefined();
        expect(postgresMajorOfImage(`supabase/postgres@sha256:${"b".repeat(64)}`)).toBeUndefined();
    });
});

describe("db data generations", () => {
    it("takes a generation from 1 to 99 and a kept generation as <generation>:<major> other than the one in use", () => {
        expect(parseTenantConfig(BASE, "test").dbDataGeneration).toBe(1);
        expect(parseTenantConfig({ ...BASE, dbDataGeneration: "2", dbDataKeptGeneration: "1:15" }, "test").dbDataKeptGeneration).toBe("1:15");
        expect(problemsOf({ ...BASE, dbDataGeneration: 100 })).toEqual(["supabase-fleet:dbDataGeneration: must be at most 99 (generation of the db data volume) (got 100)"]);
        expect(problemsOf({ ...BASE, dbDataKeptGeneration: "1:16" })).toEqual(['supabase-fleet:dbDataKeptGeneration: must be <generation>:<Postgres major>, such as 1:15 (fleet upgrade-db writes it) (got "1:16")']);
        expect(problemsOf({ ...BASE, dbDataGeneration: 2, dbDataKeptGeneration: "2:15" })).toEqual([
            'supabase-fleet:dbDataKeptGeneration: must name another generation than dbDataGeneration (2): it is the volume kept beside the one in use (got "2:15")',
        ]);
    });
});
