import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import * as tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { digestDifferences, fileDigests, retarget } from "../../stacks/backup/volumeArchives.js";
import { tolerateExistingRole, withoutGrantor } from "../../stacks/backup/restore.js";

/** A tar as the Docker API returns for a path: one top folder named like its last segment. */
async function archive(entries: Record<string, string | null>): Promise<Buffer> {
    const pack = tar.pack();
    for (const [name, content] of Object.entries(entries)) {
        if (content === null) pack.entry({ name, type: "directory" });
        else pack.entry({ name }, content);
    }
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("volume archives", () => {
    it("digests every regular file by its path inside the volume, leaving out the rendered main function", async () => {
        const tarball = await archive({ "functions/": null, "functions/hello/index.ts": "hello", "functions/main/index.ts": "rendered" });
        const digests = await fileDigests(Readable.from([tarball]), "/home/deno/functions");
        expect([...digests]).toEqual([["hello/index.ts", sha("hello")]]);
    });

    it("re-packs an archive for another mount path, without the rendered files, keeping every byte of the others", async () => {
        const tarball = await archive({ "storage/": null, "storage/a/b.txt": "object", "storage/c.bin": "\u0000\u0001binary" });
        const moved = retarget(Readable.from([tarball]), "/var/lib/storage", "/srv/objects");
        const chunks: Buffer[] = [];
        for await (const chunk of moved) chunks.push(chunk as Buffer);
        const digests = await fileDigests(Readable.from([Buffer.concat(chunks)]), "/srv/objects");
        expect(Object.fromEntries(digests)).toEqual({ "a/b.txt": sha("object"), "c.bin": sha("\u0000\u0001binary") });

        const functions = await archive({ "functions/": null, "functions/main/index.ts": "old main", "functions/hello/index.ts": "hello" });
        const names: string[] = [];
        const extract = tar.extract();
        const done = (async () => {
            for await (const entry of extract) {
                names.push(entry.header.name);
                entry.resume();
            }
        })();
        retarget(Readable.from([functions]), "/home/deno/functions", "/home/deno/functions").pipe(extract as unknown as NodeJS.WritableStream);
        await done;
        expect(names).toEqual(["functions/", "functions/hello/index.ts"]);
    });

    it("reports files the restored volume lacks or holds changed, and ignores files only the target has", () => {
        const expected = new Map([["a", "1"], ["b", "2"]]);
        expect(digestDifferences(expected, new Map([["a", "1"], ["b", "2"], ["extra", "3"]]))).toEqual([]);
        expect(digestDifferences(expected, new Map([["a", "x"]]))).toEqual(["a differs", "b is missing"]);
    });
});

describe("restoring roles", () => {
    it("makes pg_dumpall's CREATE ROLE a no-op for a role that exists, and leaves every other line alone", () => {
        expect(tolerateExistingRole("CREATE ROLE authenticator;")).toBe("DO $fleet$ BEGIN CREATE ROLE authenticator; EXCEPTION WHEN duplicate_object THEN NULL; END $fleet$;");
        expect(tolerateExistingRole('CREATE ROLE "Odd Name";')).toContain('CREATE ROLE "Odd Name";');
        expect(tolerateExistingRole("ALTER ROLE authenticator WITH NOINHERIT LOGIN PASSWORD 'SCRAM-SHA-256$x';")).toBe("ALTER ROLE authenticator WITH NOINHERIT LOGIN PASSWORD 'SCRAM-SHA-256$x';");
    });

    it("drops the grantor of an older major's role grants (Postgres 16 on wants ADMIN OPTION of it), nothing else", () => {
        expect(withoutGrantor("GRANT supabase_functions_admin TO postgres GRANTED BY supabase_admin;")).toBe("GRANT supabase_functions_admin TO postgres;");
        expect(withoutGrantor("GRANT anon TO authenticator WITH ADMIN OPTION GRANTED BY postgres;")).toBe("GRANT anon TO authenticator WITH ADMIN OPTION;");
        expect(withoutGrantor("GRANT anon TO authenticator;")).toBe("GRANT anon TO authenticator;");
        expect(withoutGrantor("ALTER ROLE x WITH PASSWORD 'GRANTED BY y;';")).toBe("ALTER ROLE x WITH PASSWORD 'GRANTED BY y;';");
    });
});
