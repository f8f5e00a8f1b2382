/** Plain-text tables for the terminal: left-aligned columns, two spaces apart, no trailing spaces. */

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
    const line = (cells: readonly string[]) =>
        cells
            .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
            .join("  ")
            .trimEnd();
    return [line(headers), ...rows.map(line)].join("\n");
}

export function formatDuration(ms: number): string {
    const seconds = Math.round(ms / 1000);
    if (seconds < 60) return `${seconds}s`;
    const minutes = Math.floor(seconds / 60);
    return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
}

/** The first line of a message, for table cells. */
export function firstLine(text: string | undefined): string {
    return (text ?? "").split("\n").find((line) => line.trim() !== "")?.trim() ?? "";
}

/** The first line of an error's message: what a one-line report of it says. */
export const errorFirstLine = (error: unknown): string => firstLine(error instanceof Error ? error.message : String(error));
