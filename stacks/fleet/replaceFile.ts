/**
 * Writes a file the fleet's processes read while others may write it (workspace project files, the ssh
 * wrapper, known_hosts): unless it already holds the text, to a temporary file that is then renamed
 * over it, so no reader ever sees half of it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function replaceFile(path: string, text: string, mode?: number): void {
    if (existsSync(path) && readFileSync(path, "utf8") === text) return;
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, text, mode === undefined ? {} : { mode });
    renameSync(temporary, path);
}
