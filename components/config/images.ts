/** Image references: pinned by an explicit tag or digest, never `latest` (it changes under a tenant). */

const REPOSITORY = /^(?:[a-z0-9][a-z0-9.-]*(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function imageReferenceProblem(reference: string): string | undefined {
    const shape = "must be an image reference with an explicit tag or digest, such as supabase/postgres:15.8.1.085 or name@sha256:<64 hex>";
    const [named, digest, extra] = reference.split("@");
    if (extra !== undefined || named === undefined) return shape;
    if (digest !== undefined && !DIGEST.test(digest)) return shape;
    const lastSlash = named.lastIndexOf("/");
    const tagColon = named.indexOf(":", lastSlash + 1);
    const repository = tagColon === -1 ? named : named.slice(0, tagColon);
    const tag = tagColon === -1 ? undefined : named.slice(tagColon + 1);
    if (!REPOSITORY.test(repository) || (tag !== undefined && !TAG.test(tag))) return shape;
    if (tag === undefined && digest === undefined) return `${shape} (an untagged image means latest)`;
    if (tag?.toLowerCase() === "latest") return `${shape}; "latest" is refused (it changes under a running tenant)`;
    return undefined;
}
