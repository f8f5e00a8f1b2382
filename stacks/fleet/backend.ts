/**
 * Where stacks live. By default: a file backend inside the project (`.pulumi-state/`, git-ignored)
 * with the passphrase secrets provider and a random passphrase generated once into
 * `.pulumi-state/passphrase`. Any Pulumi backend and secrets provider can be used instead through
 * the usual environment variables; the defaults then step aside.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface BackendSettings {
    /** The backend URL the CLI will use. */
    readonly backendUrl: string;
    /** The project-local file backend (no PULUMI_BACKEND_URL given). */
    readonly embedded: boolean;
    /** Variables to add to the Pulumi CLI's environment. */
    readonly envVars: Readonly<Record<string, string>>;
    /** For new stacks: `passphrase`, or the provider URL from PULUMI_SECRETS_PROVIDER. */
    readonly secretsProvider: string;
    /** Path of the generated passphrase file, when the fleet supplies one. */
    readonly passphraseFile?: string;
}

export const EMBEDDED_STATE_DIR = ".pulumi-state";

export function resolveBackend(repoRoot: string, env: NodeJS.ProcessEnv): BackendSettings {
    const secretsProvider = env.PULUMI_SECRETS_PROVIDER || "passphrase";
    if (env.PULUMI_BACKEND_URL) {
        return { backendUrl: env.PULUMI_BACKEND_URL, embedded: false, envVars: {}, secretsProvider };
    }
    const stateDir = join(repoRoot, EMBEDDED_STATE_DIR);
    const backendUrl = `file://${stateDir}`;
    const envVars: Record<string, string> = { PULUMI_BACKEND_URL: backendUrl };
    const passphraseGiven = env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
    if (secretsProvider !== "passphrase" || passphraseGiven) return { backendUrl, embedded: true, envVars, secretsProvider };
    const passphraseFile = join(stateDir, "passphrase");
    envVars.PULUMI_CONFIG_PASSPHRASE_FILE = passphraseFile;
    return { backendUrl, embedded: true, envVars, secretsProvider, passphraseFile };
}

/** Creates the embedded state directory and, on first use, its random passphrase (owner-only). */
export function prepareBackend(settings: BackendSettings): void {
    if (!settings.embedded) return;
    // Owner-only, existing folders included: the state holds every tenant's encrypted secrets.
    const stateDir = new URL(settings.backendUrl).pathname;
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    chmodSync(stateDir, 0o700);
    if (settings.passphraseFile === undefined) return;
    if (!existsSync(settings.passphraseFile)) {
        writeFileSync(settings.passphraseFile, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
    }
    chmodSync(settings.passphraseFile, 0o600); // an existing file too: it decrypts every secret in the state
}

/** A backend URL fit for messages: user names and passwords removed. */
export function describeBackend(backendUrl: string): string {
    try {
        const url = new URL(backendUrl);
        url.username = "";
        url.password = "";
        return url.toString();
    } catch {
        return backendUrl.replace(/\/\/[^@/]*@/, "//");
    }
}
