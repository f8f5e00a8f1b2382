/**
 * URL settings flow into env values that services parse (and, for redirects, join into one list):
 * each is checked on the raw text, not on what `new URL` normalises it to.
 */
import { REDIRECT_LIST_SEPARATOR } from "./constants.js";

/** Characters that split a list, start a fragment or quote/escape a value somewhere downstream. */
const FORBIDDEN_IN_URL = /[\s,#"'<>\\`{}|^\u0000-\u001f\u007f]/;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const GLOB_CHARACTERS = /[*?[\]{}]/;

/** What is wrong with a concrete http(s) URL, or undefined when it is sound. */
export function httpUrlProblem(value: string): string | undefined {
    if (FORBIDDEN_IN_URL.test(value)) return "must not contain spaces, control characters, commas, quotes or a #fragment";
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return "must be an absolute http:// or https:// URL, for example https://api.example.com";
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an absolute http:// or https:// URL, for example https://api.example.com";
    if (url.username !== "" || url.password !== "" || value.includes("@")) return "must not contain credentials (user:password@)";
    if (!isConcreteHost(url.hostname)) return "must name a concrete host (letters, digits, hyphens and dots, or an IP address)";
    return undefined;
}

/** What is wrong with a bare host name (no scheme, port or path), or undefined when it is sound. */
export function hostNameProblem(value: string): string | undefined {
    const ipv6 = /^[0-9a-f:.]+$/i.test(value) && value.includes(":");
    return ipv6 || isConcreteHost(value) ? undefined : "must be a host name (letters, digits, hyphens and dots) or an IP address, without scheme, port or spaces";
}

function isConcreteHost(hostname: string): boolean {
    if (/^\[[0-9a-f:.]+\]$/i.test(hostname)) return true; // IPv6 literal
    return hostname.split(".").every((label) => HOST_LABEL.test(label));
}

/**
 * GoTrue's allow list takes URLs and glob patterns (`*` within one host label or path segment, `**`
 * across them). A pattern must keep a concrete host: wildcards only as whole leftmost labels, and at
 * least two concrete labels after them, so it can never match every host (`*`, `https://*`, `**`).
 */
export function redirectEntryProblem(value: string): string | undefined {
    if (value.includes(REDIRECT_LIST_SEPARATOR)) return `must not contain "${REDIRECT_LIST_SEPARATOR}" (the entries are joined with it into GOTRUE_URI_ALLOW_LIST)`;
    if (!GLOB_CHARACTERS.test(value)) return httpUrlProblem(value);
    const match = /^(https?):\/\/([^/:]+)(:\d{1,5})?(\/.*)?$/.exec(value);
    const shape = 'must be an http(s) URL or a glob pattern with a concrete host, for example "https://*.example.com/**"';
    if (!match) return shape;
    const labels = match[2]!.split(".");
    const firstConcrete = labels.findIndex((label) => label !== "*");
    const concrete = labels.slice(firstConcrete === -1 ? labels.length : firstConcrete);
    const wildcardHost = concrete.length < labels.length;
    if ((wildcardHost && concrete.length < 2) || !concrete.every((label) => HOST_LABEL.test(label))) {
        return `${shape}; a wildcard may only stand for whole leftmost host labels (a pattern that matches every host is refused)`;
    }
    const path = match[4] ?? "";
    if (FORBIDDEN_IN_URL.test(path) || path.includes("@")) return "must not contain spaces, control characters, quotes, credentials or a #fragment";
    return undefined;
}

/**
 * What is wrong with a public DNS name the edge proxy serves (a tenant's hostname, a custom domain, a
 * host's base domain), or undefined when it is sound. Lowercase only: the proxy matches hostnames as
 * written, and its config file has no quoting, so nothing but labels and dots may reach it.
 */
export function domainNameProblem(value: string): string | undefined {
    const labels = value.split(".");
    if (value.length > 253 || labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) {
        return "must be a DNS name of at least two labels, lowercase letters, digits and hyphens (such as api.example.com), without scheme, port, wildcard or trailing dot";
    }
    return undefined;
}

const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
