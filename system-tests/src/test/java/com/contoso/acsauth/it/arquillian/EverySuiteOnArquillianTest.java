package com.contoso.acsauth.it.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every integration suite of the WAR runs on Arquillian: a suite without {@link OnDeployedWar} would reach
 * {@code DeployedServer.get()} outside it and boot a server of its own through the harness, silently.
 */
class EverySuiteOnArquillianTest {

    private static final Path SUITES = Path.of("src/test/java/com/contoso/acsauth/it");

    @Test
    void everyIntegrationSuiteOfTheWarIsAnArquillianSuite() throws IOException {
        List<String> suites;
        try (Stream<Path> files = Files.list(SUITES)) {
            suites = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith("IT.java"))
                    .map(n -> "com.contoso.acsauth.it." + n.substring(0, n.length() - ".java".length())).sorted().toList();
        }
        assertTrue(suites.size() >= 20, "found the suites: " + suites);
        List<String> without = suites.stream().filter(name -> !annotated(name)).toList();
        assertEquals(List.of(), without, "integration suites without @OnDeployedWar");
    }

    private static boolean annotated(String className) {
        try {
            return Class.forName(className).isAnnotationPresent(OnDeployedWar.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
