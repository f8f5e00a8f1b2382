/** The arguments of `fleet logs <ref> [service] [--since] [--tail] [--follow]`, checked before any engine loads. */
import { SERVICE_NAMES } from "../../../components/catalog.js";
import type { LogLine, LogOptions } from "../ports.js";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const SINCE_SHAPE = "a duration such as 30s, 10m, 2h or 1d, a date such as 2026-12-01T08:00:00Z, or Unix seconds";

interface LogsValues {
    readonly since?: string | undefined;
    readonly tail?: string | undefined;
    readonly follow?: boolean | undefined;
}

export function logsArgumentProblem(positionals: readonly string[], values: LogsValues): string | undefined {
    if (positionals.length === 0) return "fleet logs needs a tenant ref (see fleet logs --help)";
    if (positionals.length > 2) return `fleet logs takes a tenant ref and at most one service (got ${positionals.join(" ")})`;
    const service = positionals[1];
    if (service !== undefined && !(SERVICE_NAMES as readonly string[]).includes(service)) {
        return `fleet logs: unknown service "${service}"; services: ${SERVICE_NAMES.join(", ")}`;
    }
    if (values.since !== undefined && sinceSeconds(values.since, Date.now()) === undefined) return `--since: must be ${SINCE_SHAPE}`;
    if (values.tail !== undefined && !/^\d{1,7}$/.test(values.tail)) return "--tail: must be a whole number of lines per container";
    return undefined;
}

export function logOptionsFrom(service: string | undefined, values: LogsValues, nowMs: number, signal: AbortSignal | undefined): LogOptions {
    const since = values.since === undefined ? undefined : sinceSeconds(values.since, nowMs);
    return {
        ...(service !== undefined ? { service } : {}),
        ...(since !== undefined ? { sinceSeconds: since } : {}),
        ...(values.tail !== undefined ? { tail: Number(values.tail) } : {}),
        follow: values.follow === true,
        ...(signal ? { signal } : {}),
    };
}

/** `--since` as Unix seconds, or undefined when it is none of the accepted forms. */
export function sinceSeconds(since: string, nowMs: number): number | undefined {
    const duration = /^(\d{1,9})([smhd])$/.exec(since);
    if (duration) return Math.floor(nowMs / 1000) - Number(duration[1]) * UNIT_SECONDS[duration[2]!]!;
    if (/^\d{1,12}$/.test(since)) return Number(since);
    if (/^\d{4}-\d\d-\d\d(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$/.test(since)) {
        const ms = Date.parse(since);
        return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
    }
    return undefined;
}

/** `service | text`, like docker compose; stderr lines are marked, since the streams are merged. */
export function renderLogLine(line: LogLine): string {
    return `${line.service.padEnd(9)} | ${line.stream === "stderr" ? "(stderr) " : ""}${line.text}\n`;
}
