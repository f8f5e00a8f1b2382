-- pg_net's request functions with its signatures; each call is recorded in net.calls and gets an id.
CREATE SCHEMA IF NOT EXISTS net;
CREATE TABLE net.calls (id bigserial PRIMARY KEY, method text, url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer);
CREATE FUNCTION net.http_get(url text, params jsonb DEFAULT '{}', headers jsonb DEFAULT '{}', timeout_milliseconds integer DEFAULT 5000)
RETURNS bigint LANGUAGE sql AS $$
  INSERT INTO net.calls (method, url, params, headers, timeout_milliseconds) VALUES ('GET', url, params, headers, timeout_milliseconds) RETURNING id
$$;
CREATE FUNCTION net.http_post(url text, body jsonb DEFAULT '{}', params jsonb DEFAULT '{}', headers jsonb DEFAULT '{}', timeout_milliseconds integer DEFAULT 5000)
RETURNS bigint LANGUAGE sql AS $$
  INSERT INTO net.calls (method, url, body, params, headers, timeout_milliseconds) VALUES ('POST', url, body, params, headers, timeout_milliseconds) RETURNING id
$$;
