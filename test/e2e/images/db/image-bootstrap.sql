-- Roles and schemas the supabase/postgres image creates before it runs the mounted init scripts.
-- Its password is the cluster's POSTGRES_PASSWORD, as the image's migrate step sets it.
CREATE ROLE postgres SUPERUSER LOGIN PASSWORD :'pgpass';
ALTER DATABASE postgres OWNER TO postgres;
CREATE ROLE anon NOLOGIN NOINHERIT;
CREATE ROLE authenticated NOLOGIN NOINHERIT;
CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
CREATE ROLE authenticator NOINHERIT LOGIN;
GRANT anon, authenticated, service_role TO authenticator;
CREATE ROLE supabase_auth_admin NOINHERIT CREATEROLE LOGIN;
CREATE ROLE supabase_storage_admin NOINHERIT CREATEROLE LOGIN;
CREATE ROLE supabase_functions_admin NOINHERIT CREATEROLE LOGIN;
CREATE ROLE supabase_realtime_admin NOINHERIT NOLOGIN;
CREATE ROLE pgbouncer LOGIN;
CREATE ROLE dashboard_user NOSUPERUSER CREATEDB CREATEROLE REPLICATION;
CREATE SCHEMA extensions;
CREATE SCHEMA auth AUTHORIZATION supabase_auth_admin;
CREATE SCHEMA storage AUTHORIZATION supabase_storage_admin;
CREATE SCHEMA pgbouncer;
GRANT ALL ON DATABASE postgres TO supabase_auth_admin, supabase_storage_admin;
-- The service admins work in their own schema, as in the image.
ALTER ROLE supabase_auth_admin SET search_path = auth;
ALTER ROLE supabase_storage_admin SET search_path = storage;
