/**
 * Elixir script that supavisor evaluates after its migrations (`/app/bin/supavisor eval "$(cat <path>)"`):
 * creates this tenant's pool if it does not exist yet. Every value, the password included, is read
 * from the container's environment when it runs.
 */

export const SUPAVISOR_BOOTSTRAP_PATH = "/etc/pooler/pooler.exs";
/** Environment variables of the supavisor container the script reads. */
export const SUPAVISOR_BOOTSTRAP_ENV = [
    "POOLER_TENANT_ID",
    "POSTGRES_PORT",
    "POSTGRES_DB",
    "POSTGRES_PASSWORD",
    "POOLER_DEFAULT_POOL_SIZE",
    "POOLER_MAX_CLIENT_CONN",
    "POOLER_POOL_MODE",
] as const;

/** Hostname of the tenant's database inside its network. */
const DB_HOST = "db";

export const SUPAVISOR_BOOTSTRAP_SCRIPT = `# Rendered by supabase-fleet: creates this tenant's pool once. Values come from the environment.
{:ok, _} = Application.ensure_all_started(:supavisor)

require_env = fn name ->
  case System.get_env(name) do
    value when is_binary(value) and value != "" -> value
    _ -> raise "environment variable #{name} of the supavisor container is empty or unset"
  end
end

integer_env = fn name ->
  case Integer.parse(require_env.(name)) do
    {value, ""} when value > 0 -> value
    _ -> raise "environment variable #{name} of the supavisor container must be a whole number above 0"
  end
end

external_id = require_env.("POOLER_TENANT_ID")
pool_size = integer_env.("POOLER_DEFAULT_POOL_SIZE")

# Clients see the real server version in their startup parameters.
server_version =
  with {:ok, %{rows: [[version]]}} <- Supavisor.Repo.query("select version()"),
       {:ok, parsed} <- Supavisor.Helpers.parse_pg_version(version) do
    parsed
  else
    _ -> "15.0"
  end

tenant = %{
  "external_id" => external_id,
  "db_host" => "${DB_HOST}",
  "db_port" => integer_env.("POSTGRES_PORT"),
  "db_database" => require_env.("POSTGRES_DB"),
  "require_user" => false,
  "auth_query" => "SELECT * FROM pgbouncer.get_auth($1)",
  "default_pool_size" => pool_size,
  "default_max_clients" => integer_env.("POOLER_MAX_CLIENT_CONN"),
  "default_parameter_status" => %{"server_version" => server_version},
  "users" => [
    %{
      "db_user" => "pgbouncer",
      "db_password" => require_env.("POSTGRES_PASSWORD"),
      "mode_type" => require_env.("POOLER_POOL_MODE"),
      "pool_size" => pool_size,
      "is_manager" => true
    }
  ]
}

if Supavisor.Tenants.get_tenant_by_external_id(external_id) do
  IO.puts("supavisor: pool #{external_id} already exists")
else
  case Supavisor.Tenants.create_tenant(tenant) do
    {:ok, _} -> IO.puts("supavisor: pool #{external_id} created")
    # Only the validation messages: the changeset itself holds the password.
    {:error, %Ecto.Changeset{} = changeset} ->
      problems = Ecto.Changeset.traverse_errors(changeset, fn {message, _options} -> message end)
      raise "supavisor: could not create pool #{external_id}: #{inspect(problems)}"

    {:error, _} ->
      raise "supavisor: could not create pool #{external_id}"
  end
end
`;
