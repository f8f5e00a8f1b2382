// Prints the Dockerfile of one planned image: node dockerfile.mjs <base image> <label=value> <plan entry JSON>.
const [base, label, entryJson] = process.argv.slice(2);
const entry = JSON.parse(entryJson);
const json = (value) => JSON.stringify(value);
const lines = [`FROM ${base}`, `LABEL ${label}`];

if (entry.kind === "db") {
    const major = entry.postgresMajor;
    lines.push(
        `ENV PG_MAJOR=${major}`,
        "COPY db/entrypoint.sh /usr/local/bin/docker-entrypoint.sh",
        "COPY db/image-bootstrap.sql /opt/db/image-bootstrap.sql",
        "COPY db/postgresql.conf db/pg_hba.conf db/pg_ident.conf /etc/postgresql/",
        `COPY db/pg_net.control db/pg_net--0.0.sql /usr/share/postgresql/${major}/extension/`,
        `ENV PATH=/usr/lib/postgresql/${major}/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
        "RUN mkdir -p /var/lib/postgresql/data /etc/postgresql-custom && chown -R postgres:postgres /var/lib/postgresql /etc/postgresql-custom",
        `ENTRYPOINT ${json(["docker-entrypoint.sh"])}`,
        `CMD ${json(["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"])}`,
    );
} else if (entry.kind === "auth") {
    // The gotrue image is Alpine: its health check runs busybox wget, whose --spider sends a GET.
    lines.push("COPY auth /usr/local/bin/auth", "RUN ln -s /bin/busybox /usr/local/bin/wget", `CMD ${json(["auth"])}`);
} else {
    const spec = entry.spec;
    lines.push("COPY standin /opt/standin");
    if (spec.configCheck === "envoy") lines.push("COPY envoy-check /opt/standin/envoy-check");
    // The real node moves aside; the shim answers the fetch health checks with curl (see node-shim.sh).
    lines.push("RUN mkdir -p /usr/local/libexec && mv /usr/local/bin/node /usr/local/libexec/node && ln -s /opt/standin/node-shim.sh /usr/local/bin/node");
    for (const tool of spec.tools) lines.push(`RUN mkdir -p $(dirname ${tool}) && ln -s /opt/standin/tool.sh ${tool}`);
    lines.push(`ENV STANDIN_SPEC=${json(JSON.stringify(spec))} STANDIN_FIRST_PORT=${spec.ports[0]}`);
    if (spec.entrypoint) lines.push(`ENTRYPOINT ${json(spec.entrypoint)}`);
    lines.push(`CMD ${json(spec.cmd)}`);
}
console.log(lines.join("\n"));
