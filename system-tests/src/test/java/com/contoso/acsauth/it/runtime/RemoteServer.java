package com.contoso.acsauth.it.runtime;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The user's own server in a remote Arquillian run: already running and configured, the WAR deployed to it by the
 * remote adapter. Nothing here starts, configures or stops it.
 */
public final class RemoteServer implements ServerRuntime {

    private final String name;
    private final URI baseUrl;

    /** {@code name}: which server it is ({@code wildfly-remote}, {@code payara-remote}: suites ask, e.g. for WildFly's health port). */
    public RemoteServer(String name, URI baseUrl) {
        this.name = name;
        this.baseUrl = baseUrl;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start(Path war, Map<String, String> env, List<String> jvmOptions) {
        throw new UnsupportedOperationException("a remote server is started by its owner");
    }

    @Override
    public String addDataSource(JdbcDataSource dataSource) {
        throw new UnsupportedOperationException("a remote server's data sources are its owner's");
    }

    @Override
    public AdapterSetup prepareForAdapter(Map<String, String> env, List<String> jvmOptions) {
        throw new UnsupportedOperationException("a remote server is configured by its owner");
    }

    @Override
    public void adoptFromAdapter(Duration bootTime) {
        System.out.printf("[" + name + "] WAR deployed to the server at %s in %.1f s%n", baseUrl, bootTime.toMillis() / 1000.0);
    }

    @Override
    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public long pid() {
        throw new UnsupportedOperationException("a remote server's process is not this machine's to measure");
    }

    @Override
    public void close() {
        // its owner's
    }
}
