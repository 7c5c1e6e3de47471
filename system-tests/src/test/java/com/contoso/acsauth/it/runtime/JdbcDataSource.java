package com.contoso.acsauth.it.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A PostgreSQL data source for a runtime to offer the WAR ({@link ServerRuntime#addDataSource}): the server's own
 * connection pool, built from the driver jar and these connection settings.
 *
 * <p>{@code name} becomes part of the pool name and the JNDI name ({@code jdbc/<name>},
 * {@code java:jboss/datasources/<name>}), so it is letters, digits and {@code _} only. The other values go into
 * asadmin commands, jboss-cli operations and Liberty XML, each of which expands {@code ${...}} and treats quotes and
 * backslashes specially; rather than escape for all three, they may not contain white space, quotes, {@code \} or
 * {@code $} ({@code :} and {@code =} are fine).
 */
public record JdbcDataSource(String name, Path driverJar, String host, int port, String database, String user, String password) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern VALUE = Pattern.compile("[^\\s\"'`\\\\$]+");

    public JdbcDataSource {
        Objects.requireNonNull(driverJar, "driverJar");
        if (!NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
            throw new IllegalArgumentException("data source name '" + name + "': letters, digits and _ only, starting with a letter");
        }
        check("host", host);
        check("database", database);
        check("user", user);
        check("password", password);
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        driverJar = driverJar.toAbsolutePath();
    }

    /** The driver jar, checked: runtimes call this before they write any configuration. */
    Path existingDriverJar() {
        if (!Files.isRegularFile(driverJar)) {
            throw new ServerStartException("the JDBC driver " + driverJar + " is missing; Maven copies it there in"
                    + " pre-integration-test (./mvnw verify), or point -Dit.postgresqlJar at a PostgreSQL driver jar");
        }
        return driverJar;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    private static void check(String what, String value) {
        if (value == null || !VALUE.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be non-empty without white space, quotes, \\ or $");
        }
    }
}
