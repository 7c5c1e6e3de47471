package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.it.runtime.RuntimeLayout;
import com.contoso.acsauth.it.runtime.ServerRuntime;
import com.contoso.acsauth.it.runtime.ServerStartException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A second server of the same kind, deployed with required settings missing or invalid: the deployment fails
 * at once with one message naming each variable to fix, instead of failing at the first request.
 */
@StoreIndependent
@OnDeployedWar
class MisconfigurationIT {

    @Test
    void missingAndInvalidSettingsFailTheDeploymentNamingEachVariable() throws IOException {
        // the settings are read the same whatever the store: one boot per server is enough
        assumeTrue(MappingMode.current().graph(), "runs with the Graph store's suite");
        String name = System.getProperty("it.runtime", "payara6");
        Path buildDir = Path.of(System.getProperty("it.buildDir", "target")).toAbsolutePath();
        Path war = Path.of(System.getProperty("it.war", RuntimeLayout.serverWar(buildDir).toString())).toAbsolutePath();
        String secret = "a-secret-that-must-not-be-echoed";
        Map<String, String> env = Map.of(
                "AAD_CLIENT_ID", "5e1c7a2b-9d4f-4c3e-8a6b-1f2e3d4c5b6a",
                "AAD_CLIENT_SECRET", secret,
                "ACS_CONNECTION_STRING", "endpoint=http://plain.example/;accesskey=" + secret,
                "ACS_TOKEN_EXPIRES_IN_MINUTES", "30",
                "MAPPING_STORE", "redis",
                "ACS_ENDPOINT", "https://contoso.communication.azure.com/",
                "AAD_CLIENT_ASSERTION", "kerberos",
                // the page signs in with the workforce tenant, which AAD_TENANT_ID's absence leaves out
                "TRY_PAGE_ENABLED", "true");

        Path workDir = buildDir.resolve("misconfigured-" + name);
        try (ServerRuntime misconfigured = ServerRuntime.named(name, buildDir, workDir, 0)) {
            assertThrows(ServerStartException.class, () -> misconfigured.start(war, env, List.of()));

            String log = logsUnder(workDir);
            assertTrue(log.contains("acs-auth-server cannot start, fix its configuration"), log);
            for (String named : List.of("AAD_TENANT_ID", "ACS_CONNECTION_STRING", "ACS_TOKEN_EXPIRES_IN_MINUTES", "MAPPING_STORE",
                    "ACS_ENDPOINT", "AAD_CLIENT_ASSERTION", "TRY_PAGE_ENABLED")) {
                assertTrue(log.contains(named), () -> named + " not named in:\n" + log);
            }
            assertFalse(log.contains(secret), "a secret was echoed into the log");
        }
    }

    private static String logsUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            StringBuilder all = new StringBuilder();
            for (Path log : files.filter(f -> f.toString().endsWith(".log") && Files.isRegularFile(f)).toList()) {
                all.append(Files.readString(log, StandardCharsets.ISO_8859_1)).append('\n');
            }
            return all.toString();
        }
    }
}
