/**
 * The start script of the kong container: fills the template's placeholders from the environment,
 * then starts Kong. Only the listed names are replaced, each value is inserted once (never re-read
 * by a shell, sed or awk as code), and `'` is doubled because every value sits in a single-quoted
 * YAML string. Runs on the kong image's busybox `sh` and `awk`.
 */
import { isAtLeast, type Release } from "../releases.js";
import { KONG_DECLARATIVE_CONFIG, KONG_TEMPLATE_PLACEHOLDERS, kongTemplatePlaceholders, type KongConfigPaths } from "./kongConfig.js";

/** The image's own entrypoint and command, started once the config exists (kong/kong 3.x renamed it). */
function kongStart(release: Release): string {
    return `exec ${isAtLeast(release, "0.8.2") ? "/entrypoint.sh" : "/docker-entrypoint.sh"} kong docker-start`;
}

/**
 * Paths and the start command are parameters so tests can run the very same script on a scratch
 * directory; `gateway` names the gateway in its messages (Envoy's start script is this one too).
 */
export function kongExpandTemplateScript(paths: KongConfigPaths, then: string, placeholders: readonly string[] = KONG_TEMPLATE_PLACEHOLDERS, gateway = "kong"): string {
    const names = placeholders.join(" ");
    return [
        "set -eu",
        // The expanded file holds the keys: readable by the kong user alone.
        "umask 077",
        "nl='",
        "'",
        `for name in ${names}; do`,
        '  eval "value=\\${$name:-}"',
        `  if [ -z "$value" ]; then echo "${gateway}: environment variable $name is empty or unset" >&2; exit 1; fi`,
        `  case "$value" in *"$nl"*) echo "${gateway}: environment variable $name must not contain a line break" >&2; exit 1;; esac`,
        "done",
        `awk -v names="${names}" -v q="'" '`,
        'BEGIN { n = split(names, list, " "); for (i = 1; i <= n; i++) wanted[list[i]] = 1 }',
        "{",
        '  out = ""; rest = $0',
        "  while (match(rest, /[$][A-Za-z_][A-Za-z0-9_]*/)) {",
        "    name = substr(rest, RSTART + 1, RLENGTH - 1)",
        "    out = out substr(rest, 1, RSTART - 1)",
        "    if (name in wanted) { value = ENVIRON[name]; gsub(q, q q, value); out = out value }",
        "    else out = out substr(rest, RSTART, RLENGTH)",
        "    rest = substr(rest, RSTART + RLENGTH)",
        "  }",
        "  print out rest",
        `}' ${paths.templatePath} > ${paths.renderedPath}`,
        then,
        "",
    ].join("\n");
}

/** Entrypoint for the kong service: `["sh", "-c", <script>]`. */
export function kongEntrypoint(release: Release, previousOpaqueKeys = false): readonly string[] {
    return ["sh", "-c", kongExpandTemplateScript(KONG_DECLARATIVE_CONFIG, kongStart(release), kongTemplatePlaceholders(release, previousOpaqueKeys))];
}
