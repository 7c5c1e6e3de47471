package com.contoso.acsauth.it.runtime;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * A server prepared for its Arquillian container adapter ({@link ServerRuntime#prepareForAdapter}): the adapter's
 * configuration properties (what arquillian.xml would hold), where the server will
 * answer, the directory its logs go to, and a JVM option only this server's JVM carries, by which it is found among
 * this JVM's child processes (for its memory, a thread dump, a stop).
 */
public record AdapterSetup(Map<String, String> properties, URI baseUrl, Path logDir, String jvmMarker) {

    public AdapterSetup {
        properties = Map.copyOf(properties);
    }
}
