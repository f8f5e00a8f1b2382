/**
 * Database webhooks: the `supabase_functions` schema. Studio attaches `supabase_functions.http_request()`
 * as an AFTER trigger with the arguments (url, method, headers, params, timeout_ms); each call goes
 * out through pg_net and is recorded in `supabase_functions.hooks`. Runs as `postgres` (still a
 * superuser while the image's init scripts run), in one transaction.
 */

/** The one statement that needs the pg_net extension to be installed in the image. */
export const PG_NET_STATEMENT = "CREATE EXTENSION IF NOT EXISTS pg_net SCHEMA extensions;";

/** pg_net's request functions, by the signatures webhooks call. */
const NET_HTTP_GET = "net.http_get(url text, params jsonb, headers jsonb, timeout_milliseconds integer)";
const NET_HTTP_POST = "net.http_post(url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer)";
const API_ROLES = "postgres, anon, authenticated, service_role";

export const WEBHOOKS_SQL = `-- Database webhooks (supabase_functions). Rendered by supabase-fleet; runs once, as postgres.
BEGIN;

-- Older images do not create this role before the init scripts run.
DO $role$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_functions_admin') THEN
    CREATE ROLE supabase_functions_admin NOINHERIT CREATEROLE LOGIN NOREPLICATION;
  END IF;
END
$role$;

${PG_NET_STATEMENT}

-- Callers of pg_net need no rights on its queue tables: the request functions run as their owner.
GRANT USAGE ON SCHEMA net TO supabase_functions_admin, ${API_ROLES};
ALTER FUNCTION ${NET_HTTP_GET} SECURITY DEFINER SET search_path = net;
ALTER FUNCTION ${NET_HTTP_POST} SECURITY DEFINER SET search_path = net;
REVOKE ALL ON FUNCTION ${NET_HTTP_GET} FROM PUBLIC;
REVOKE ALL ON FUNCTION ${NET_HTTP_POST} FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ${NET_HTTP_GET} TO supabase_functions_admin, ${API_ROLES};
GRANT EXECUTE ON FUNCTION ${NET_HTTP_POST} TO supabase_functions_admin, ${API_ROLES};

CREATE SCHEMA IF NOT EXISTS supabase_functions AUTHORIZATION supabase_admin;
GRANT USAGE ON SCHEMA supabase_functions TO ${API_ROLES};
GRANT ALL ON SCHEMA supabase_functions TO supabase_functions_admin;

CREATE TABLE IF NOT EXISTS supabase_functions.migrations (
  version text PRIMARY KEY,
  inserted_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO supabase_functions.migrations (version)
VALUES ('initial'), ('20210809183423_update_grants')
ON CONFLICT (version) DO NOTHING;

CREATE TABLE IF NOT EXISTS supabase_functions.hooks (
  id bigserial PRIMARY KEY,
  hook_table_id integer NOT NULL,
  hook_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  request_id bigint
);
CREATE INDEX IF NOT EXISTS supabase_functions_hooks_request_id_idx
  ON supabase_functions.hooks USING btree (request_id);
CREATE INDEX IF NOT EXISTS supabase_functions_hooks_h_table_id_h_name_idx
  ON supabase_functions.hooks USING btree (hook_table_id, hook_name);
COMMENT ON TABLE supabase_functions.hooks IS 'Database webhooks: one row per request sent through pg_net.';

CREATE OR REPLACE FUNCTION supabase_functions.http_request()
RETURNS trigger
LANGUAGE plpgsql
AS $function$
DECLARE
  target_url text := TG_ARGV[0];
  http_method text := TG_ARGV[1];
  request_headers jsonb := '{"Content-Type": "application/json"}'::jsonb;
  query_params jsonb := '{}'::jsonb;
  timeout_ms integer := 1000;
  payload jsonb;
  sent_request_id bigint;
BEGIN
  IF target_url IS NULL OR target_url = 'null' THEN
    RAISE EXCEPTION 'supabase_functions.http_request: the url argument is missing';
  END IF;
  IF http_method IS NULL OR http_method = 'null' THEN
    RAISE EXCEPTION 'supabase_functions.http_request: the method argument is missing';
  END IF;
  -- Studio passes the string 'null' for an argument left empty.
  IF TG_ARGV[2] IS NOT NULL AND TG_ARGV[2] <> 'null' THEN
    request_headers := TG_ARGV[2]::jsonb;
  END IF;
  IF TG_ARGV[3] IS NOT NULL AND TG_ARGV[3] <> 'null' THEN
    query_params := TG_ARGV[3]::jsonb;
  END IF;
  IF TG_ARGV[4] IS NOT NULL AND TG_ARGV[4] <> 'null' THEN
    timeout_ms := TG_ARGV[4]::integer;
  END IF;

  CASE http_method
    WHEN 'GET' THEN
      sent_request_id := net.http_get(target_url, query_params, request_headers, timeout_ms);
    WHEN 'POST' THEN
      payload := jsonb_build_object(
        'type', TG_OP,
        'schema', TG_TABLE_SCHEMA,
        'table', TG_TABLE_NAME,
        'record', NEW,
        'old_record', OLD
      );
      sent_request_id := net.http_post(target_url, payload, query_params, request_headers, timeout_ms);
    ELSE
      RAISE EXCEPTION 'supabase_functions.http_request: method % is not GET or POST', http_method;
  END CASE;

  INSERT INTO supabase_functions.hooks (hook_table_id, hook_name, request_id)
  VALUES (TG_RELID, TG_NAME, sent_request_id);
  RETURN NEW;
END
$function$;

-- The function runs as supabase_functions_admin whoever fires the trigger, so the roles that write
-- rows need no rights on the hooks table.
ALTER TABLE supabase_functions.migrations OWNER TO supabase_functions_admin;
ALTER TABLE supabase_functions.hooks OWNER TO supabase_functions_admin;
ALTER FUNCTION supabase_functions.http_request() OWNER TO supabase_functions_admin;
ALTER FUNCTION supabase_functions.http_request() SECURITY DEFINER SET search_path = supabase_functions;
REVOKE ALL ON FUNCTION supabase_functions.http_request() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION supabase_functions.http_request() TO ${API_ROLES};
ALTER ROLE supabase_functions_admin SET search_path = supabase_functions;
-- postgres keeps control of these objects after the image demotes it from superuser.
GRANT supabase_functions_admin TO postgres;

COMMIT;
`;
