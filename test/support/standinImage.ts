/**
 * A tiny local image standing in for the Supabase images in Docker tests: no registry is reachable,
 * so it is built with `docker import` from Debian's static busybox (package busybox-static).
 * Built once per engine and reused by tag.
 */
import { readFileSync, existsSync } from "node:fs";
import type Docker from "dockerode";

export const STANDIN_IMAGE = "supabase-fleet-standin:test";
const BUSYBOX_PATH = "/bin/busybox";
const APPLETS = ["sh", "sleep", "wget", "nc", "touch", "test", "rm", "cat", "echo", "ls", "mkdir", "true", "false", "kill"];

export async function ensureStandinImage(docker: Docker): Promise<string> {
    const present = await docker.listImages({ filters: { reference: [STANDIN_IMAGE] } });
    if (present.length > 0) return STANDIN_IMAGE;

    const busybox = readStaticBusybox();
    const rootfs = tarArchive([
        { path: "bin/", type: "dir", mode: 0o755 },
        { path: "bin/busybox", type: "file", mode: 0o755, content: busybox },
        ...APPLETS.map((applet) => ({ path: `bin/${applet}`, type: "symlink" as const, mode: 0o777, target: "busybox" })),
        { path: "etc/", type: "dir", mode: 0o755 },
        { path: "tmp/", type: "dir", mode: 0o1777 },
    ]);
    const [repo, tag] = STANDIN_IMAGE.split(":") as [string, string];
    const progress = await docker.importImage(rootfs as unknown as NodeJS.ReadableStream, {
        repo,
        tag,
        changes: ["ENV PATH=/bin", 'CMD ["/bin/sh"]'],
    });
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(progress, (error) => (error ? reject(error) : resolve())));
    return STANDIN_IMAGE;
}

function readStaticBusybox(): Buffer {
    if (!existsSync(BUSYBOX_PATH)) {
        throw new Error(`${BUSYBOX_PATH} not found: install busybox-static (bash .ci/setup-docker.sh does)`);
    }
    const binary = readFileSync(BUSYBOX_PATH);
    // A dynamically linked busybox names its loader; it would not run in an image without libc.
    if (binary.includes("/lib64/ld-linux") || binary.includes("/lib/ld-linux")) {
        throw new Error(`${BUSYBOX_PATH} is dynamically linked: install busybox-static instead of busybox`);
    }
    return binary;
}

type TarEntry =
    | { path: string; type: "dir"; mode: number }
    | { path: string; type: "file"; mode: number; content: Buffer }
    | { path: string; type: "symlink"; mode: number; target: string };

/** A minimal ustar writer: enough for a root file system of directories, files and symlinks. */
function tarArchive(entries: readonly TarEntry[]): Buffer {
    const blocks: Buffer[] = [];
    for (const entry of entries) {
        const content = entry.type === "file" ? entry.content : Buffer.alloc(0);
        const header = Buffer.alloc(512);
        const field = (offset: number, length: number, value: string) => header.write(value, offset, length, "utf8");
        const octal = (offset: number, length: number, value: number) =>
            field(offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
        field(0, 100, entry.path);
        octal(100, 8, entry.mode);
        octal(108, 8, 0);
        octal(116, 8, 0);
        octal(124, 12, content.length);
        octal(136, 12, 0);
        field(148, 8, " ".repeat(8)); // checksum is computed with this field as spaces
        field(156, 1, entry.type === "dir" ? "5" : entry.type === "symlink" ? "2" : "0");
        if (entry.type === "symlink") field(157, 100, entry.target);
        field(257, 6, "ustar\0");
        field(263, 2, "00");
        const checksum = header.reduce((sum, byte) => sum + byte, 0);
        field(148, 8, checksum.toString(8).padStart(6, "0") + "\0 ");
        blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
    return Buffer.concat(blocks);
}
