/**
 * The key check of Envoy's gateway, one Lua script (Envoy runs LuaJIT). Each route that takes a key
 * carries its policy as route metadata (components/gateway/envoyConfig.ts); a route without one is
 * left alone. It does what Kong's key-auth, acl and request-transformer do on the same route, so both
 * gateways answer alike:
 *   - the key comes from the `apikey` header, else the `apikey` query parameter;
 *   - none: 401; not a key of this tenant: 401; a role the route does not admit: 403;
 *   - `hide_key`: the key is taken off the request;
 *   - `map_jwt` (0.8.2 on): `Authorization` becomes the role's ES256 JWT for an opaque key (a JWT the
 *     client sent is kept), or the legacy key itself as a bearer;
 *   - `websocket`: Realtime's socket reads its key from the query, so the JWT goes there, and into
 *     `x-api-key`;
 *   - `open` (storage): no check at all; an opaque key of this tenant in the `apikey` header is
 *     mapped as by `map_jwt`, and any other request passes as it came.
 * Keys appear as `$NAME` placeholders inside Lua long brackets: the container's start script fills
 * them in from its environment, so the uploaded file never holds one.
 */

/** One key the gateway accepts: its placeholder, its role, and the ES256 JWT an opaque key stands for. */
export interface LuaKey {
    readonly placeholder: string;
    readonly role: "anon" | "service_role";
    readonly jwtPlaceholder?: string;
}

/** The route metadata key the script reads its policy from. */
export const LUA_POLICY_KEY = "policy";

export function envoyKeyCheckLua(keys: readonly LuaKey[]): string {
    const entries = keys.map((key) => {
        const jwt = key.jwtPlaceholder ? `, jwt = [[$${key.jwtPlaceholder}]]` : "";
        return `KEYS[ [[$${key.placeholder}]] ] = { role = "${key.role}"${jwt} }`;
    });
    return [
        "local KEYS = {}",
        ...entries,
        "",
        "local function unescape(value)",
        '  return (value:gsub("%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end))',
        "end",
        "",
        "-- The value of one query parameter, and the path with that parameter replaced (or removed when nil).",
        "local function query_parameter(path, name, replacement)",
        '  local at = path:find("?", 1, true)',
        "  if at == nil then return nil, path end",
        "  local found, kept = nil, {}",
        '  for pair in path:sub(at + 1):gmatch("[^&]+") do',
        '    local key, value = pair:match("^([^=]*)=?(.*)$")',
        "    if key == name then",
        "      if found == nil then found = unescape(value) end",
        '      if replacement ~= nil then kept[#kept + 1] = name .. "=" .. replacement end',
        "    else",
        "      kept[#kept + 1] = pair",
        "    end",
        "  end",
        "  local base = path:sub(1, at - 1)",
        "  if #kept == 0 then return found, base end",
        '  return found, base .. "?" .. table.concat(kept, "&")',
        "end",
        "",
        "local function refuse(handle, status, message)",
        '  handle:respond({ [":status"] = tostring(status), ["content-type"] = "application/json" }, [[{"message":"]] .. message .. [["}]])',
        "end",
        "",
        "-- The JWT as the bearer, unless the client sent a JWT of its own (supabase-js sends an opaque key as a bearer too).",
        "local function authorize_with(headers, jwt)",
        '  local authorization = headers:get("authorization")',
        '  if authorization == nil or authorization:sub(1, 10) == "Bearer sb_" then headers:replace("authorization", "Bearer " .. jwt) end',
        "end",
        "",
        "function envoy_on_request(handle)",
        `  local policy = handle:metadata():get("${LUA_POLICY_KEY}")`,
        "  if policy == nil then return end",
        "  local headers = handle:headers()",
        '  local path = headers:get(":path") or "/"',
        '  local key = headers:get("apikey")',
        "  if policy.open then",
        "    -- The header only, where Kong reads it too.",
        "    local entry = key and KEYS[key]",
        "    if policy.map_jwt and entry and entry.jwt then authorize_with(headers, entry.jwt) end",
        "    return",
        "  end",
        '  if key == nil then key = query_parameter(path, "apikey") end',
        '  if key == nil or key == "" then return refuse(handle, 401, "No API key found in request") end',
        "  local entry = KEYS[key]",
        '  if entry == nil then return refuse(handle, 401, "Invalid authentication credentials") end',
        "  local admitted = false",
        "  for _, role in ipairs(policy.roles) do if role == entry.role then admitted = true end end",
        '  if not admitted then return refuse(handle, 403, "You cannot consume this service") end',
        "  local jwt = entry.jwt or key",
        "  if policy.hide_key then",
        '    headers:remove("apikey")',
        '    local _, without = query_parameter(path, "apikey")',
        '    headers:replace(":path", without)',
        "  elseif policy.websocket and policy.map_jwt then",
        '    local _, mapped = query_parameter(path, "apikey", jwt)',
        '    headers:replace(":path", mapped)',
        '    headers:replace("x-api-key", jwt)',
        "  end",
        "  if policy.map_jwt and not policy.websocket then authorize_with(headers, jwt) end",
        "end",
        "",
    ]
        // Without indentation: a YAML single-quoted string cannot hold a line that starts with a space,
        // and the listener template must quote every string so (see envoyConfig.ts).
        .map((line) => line.trimStart())
        .join("\n");
}
