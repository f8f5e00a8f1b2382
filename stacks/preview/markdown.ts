/** Small Markdown helpers that keep arbitrary text from breaking the comment's layout. */

/** An inline code span that survives backticks inside the text. */
export function code(text: string): string {
    const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longestRun + 1);
    const pad = text.startsWith("`") || text.endsWith("`") || longestRun > 0 ? " " : "";
    return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced block, indented to sit inside a list item. */
export function codeBlock(text: string, indent = ""): string {
    const longestRun = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longestRun + 1);
    const body = text.split("\n").map((line) => `${indent}${line}`);
    return [`${indent}${fence}text`, ...body, `${indent}${fence}`].join("\n");
}

/** Cuts text to a number of characters and lines, saying how much was left out. */
export function clipText(text: string, maxChars: number, maxLines: number): string {
    let lines = text.split(/\r?\n/);
    let cut = false;
    if (lines.length > maxLines) {
        lines = lines.slice(0, maxLines);
        cut = true;
    }
    let result = lines.join("\n");
    if (result.length > maxChars) {
        result = result.slice(0, maxChars);
        cut = true;
    }
    return cut ? `${result}\n… (cut; the full message is in the workflow log)` : result;
}

/** Escapes text placed in table cells, HTML summaries and plain Markdown. */
export function escapeInline(text: string): string {
    return text.replace(/[\\`*_[\]<>|]/g, (ch) => `\\${ch}`);
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
    return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Escapes text placed inside HTML tags such as `<summary>`, where Markdown escapes do not apply. */
export function escapeHtml(text: string): string {
    return text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);
}

/** Hides the password of any `scheme://user:password@host` in free text (error messages). */
export function redactCredentials(text: string): string {
    return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, "$1***@");
}
