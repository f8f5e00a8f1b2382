/**
 * No Elixir runtime here: the script is checked for what it must say, and for balanced blocks.
 * It runs for real only inside the supavisor container.
 */
import { describe, expect, it } from "vitest";
import { SUPAVISOR_BOOTSTRAP_ENV, SUPAVISOR_BOOTSTRAP_PATH } from "../../components/files/index.js";
import { render } from "./fixtures.js";

const script = render("acme", true).supavisorBootstrap.content;

/** The value expression the tenant map gives a key. */
const valueOf = (key: string): string | undefined => new RegExp(`"${key}" => ([^,\\n]+)`).exec(script)?.[1];

describe("supavisor bootstrap script", () => {
    it("is uploaded where the supavisor command evaluates it", () => {
        expect(render("acme", true).supavisorBootstrap.path).toBe(SUPAVISOR_BOOTSTRAP_PATH);
        expect(SUPAVISOR_BOOTSTRAP_PATH).toBe("/etc/pooler/pooler.exs");
    });

    it("builds the pool from the environment and fixed wiring facts", () => {
        expect({
            external_id: valueOf("external_id"),
            db_host: valueOf("db_host"),
            db_port: valueOf("db_port"),
            db_database: valueOf("db_database"),
            require_user: valueOf("require_user"),
            auth_query: valueOf("auth_query"),
            default_pool_size: valueOf("default_pool_size"),
            default_max_clients: valueOf("default_max_clients"),
            db_user: valueOf("db_user"),
            db_password: valueOf("db_password"),
            mode_type: valueOf("mode_type"),
            pool_size: valueOf("pool_size"),
            is_manager: valueOf("is_manager"),
        }).toStrictEqual({
            external_id: "external_id",
            db_host: '"db"',
            db_port: 'integer_env.("POSTGRES_PORT")',
            db_database: 'require_env.("POSTGRES_DB")',
            require_user: "false",
            auth_query: '"SELECT * FROM pgbouncer.get_auth($1)"',
            default_pool_size: "pool_size",
            default_max_clients: 'integer_env.("POOLER_MAX_CLIENT_CONN")',
            db_user: '"pgbouncer"',
            db_password: 'require_env.("POSTGRES_PASSWORD")',
            mode_type: 'require_env.("POOLER_POOL_MODE")',
            pool_size: "pool_size",
            is_manager: "true",
        });
        expect(script).toContain('external_id = require_env.("POOLER_TENANT_ID")');
        expect(script).toContain('pool_size = integer_env.("POOLER_DEFAULT_POOL_SIZE")');
        expect(script).toContain("case System.get_env(name) do");
        expect([...new Set([...script.matchAll(/_env\.\("([A-Z_]+)"\)/g)].map((m) => m[1]))].sort()).toEqual([...SUPAVISOR_BOOTSTRAP_ENV].sort());
    });

    it("creates the pool only when it does not exist, and never prints the password", () => {
        const lookup = script.indexOf("Supavisor.Tenants.get_tenant_by_external_id(external_id)");
        const create = script.indexOf("Supavisor.Tenants.create_tenant(tenant)");
        expect(lookup).toBeGreaterThan(0);
        expect(create).toBeGreaterThan(lookup);
        expect(script).not.toMatch(/inspect\((tenant|reason|changeset)\)/);
        expect(script).not.toMatch(/IO\.puts\([^)]*password/i);
    });

    it("has balanced blocks (every do and fn has its end)", () => {
        const withoutStrings = script.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/#.*$/gm, "");
        const openers = withoutStrings.match(/\bdo\b|\bfn\b/g) ?? [];
        const closers = withoutStrings.match(/\bend\b/g) ?? [];
        expect(openers.length).toBeGreaterThan(0);
        expect(closers.length).toBe(openers.length);
    });
});
