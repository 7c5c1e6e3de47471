package com.contoso.acsauth.it.runtime;

import java.nio.file.Path;

/**
 * Where the server distributions are. Maven puts them under {@code target} (see the pom's profiles); each can be
 * pointed elsewhere with a system property, e.g. {@code -Dliberty.home=/opt/wlp}.
 *
 * @param javaHome the JDK the server runs on: {@code it.javaHome}, by default the JDK running the tests
 * @param postgresqlJar the PostgreSQL JDBC driver for {@link JdbcDataSource}s: {@code it.postgresqlJar}
 * @param h2Jar the H2 database behind Liberty's {@code DefaultDataSource} (server.xml): {@code it.h2Jar}
 */
public record RuntimeLayout(Path javaHome, Path payara6Jar, Path payara7Jar, Path libertyHome, Path libertyServerXml,
                            Path wildflyHome, Path wildflyCli, Path postgresqlJar, Path h2Jar) {

    public static final String WILDFLY_VERSION = "38.0.1.Final";

    /** The server module's WAR (server/target beside this module's build directory), where no -Dit.war names one. */
    public static Path serverWar(Path buildDir) {
        return buildDir.toAbsolutePath().getParent().resolveSibling("server").resolve("target/acs-auth-server.war");
    }

    public static RuntimeLayout fromSystemProperties(Path buildDir) {
        Path serverConfig = path("it.serverConfigDir", buildDir.toAbsolutePath().getParent().resolveSibling("server-config"));
        return new RuntimeLayout(
                path("it.javaHome", Path.of(System.getProperty("java.home"))),
                path("payara.micro.jar", buildDir.resolve("payara-micro.jar")),
                path("payara7.micro.jar", buildDir.resolve("payara-micro-7.jar")),
                path("liberty.home", buildDir.resolve("liberty/wlp")),
                serverConfig.resolve("liberty/server.xml"),
                path("wildfly.home", buildDir.resolve("wildfly/wildfly-" + WILDFLY_VERSION)),
                serverConfig.resolve("wildfly/configure.cli"),
                path("it.postgresqlJar", buildDir.resolve("jdbc/postgresql.jar")),
                path("it.h2Jar", buildDir.resolve("jdbc/h2.jar")));
    }

    private static Path path(String property, Path fallback) {
        String value = System.getProperty(property);
        return (value == null || value.isBlank() ? fallback : Path.of(value)).toAbsolutePath();
    }
}
