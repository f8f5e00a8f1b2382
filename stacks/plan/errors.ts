/** Errors of the offline plan that are a user's to fix: shown as their message, no stack trace. */

export type PlanErrorKind =
    /** A flag or stack name the plan does not know. Exit code 2. */
    | "usage"
    /** A project or stack file that cannot be read or parsed, or config the program rejects. Exit code 1. */
    | "config"
    /** The program failed while declaring resources. Exit code 1. */
    | "program";

export class PlanError extends Error {
    /** True for an unexpected failure (a bug in the program), where `--verbose` shows the cause's stack trace. */
    readonly traceHelps: boolean;

    constructor(
        readonly kind: PlanErrorKind,
        message: string,
        /** The stack the error belongs to, when it belongs to one. */
        readonly stack?: string,
        options?: { cause?: unknown; traceHelps?: boolean },
    ) {
        super(message, options);
        this.traceHelps = options?.traceHelps ?? false;
        this.name = "PlanError";
    }

    get exitCode(): 1 | 2 {
        return this.kind === "usage" ? 2 : 1;
    }
}
