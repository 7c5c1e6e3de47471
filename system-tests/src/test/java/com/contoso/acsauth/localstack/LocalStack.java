package com.contoso.acsauth.localstack;

import com.contoso.acsauth.browser.Chromium;
import com.contoso.acsauth.it.runtime.KeycloakServer;
import com.contoso.acsauth.it.runtime.Ports;
import com.contoso.acsauth.it.runtime.JdbcDataSource;
import com.contoso.acsauth.it.runtime.RuntimeLayout;
import com.contoso.acsauth.it.runtime.ServerRuntime;
import com.contoso.acsauth.it.runtime.ServerStartException;
import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.PortInUseException;
import com.contoso.acsauth.standin.SelfSignedKeyStore;
import com.contoso.acsauth.standin.StandInOptions;
import com.contoso.acsauth.standin.StandIns;
import com.contoso.acsauth.standin.entra.EntraStandIn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The local stack: the stand-ins of Entra ID, Graph and ACS on fixed ports and a server (Payara Micro 6 unless
 * {@code -Dit.runtime=payara7|liberty|wildfly}, with the Maven profile of that name) running the WAR against
 * them, until Ctrl-C or SIGTERM. Started by {@code ./mvnw -Plocal-stack}; arguments: Maven's build directory and the
 * WAR. Ports: {@code -Dapi.port} (8080), {@code -Dstandin.entra.port} (9441), {@code -Dstandin.graph.port} (9442),
 * {@code -Dstandin.acs.port} (9443); {@code -Ddemo.user} picks alice (default), bob or carol.
 *
 * <p>{@code -Dlocal.keycloak=true} also runs a real Keycloak (it.runtime.KeycloakServer, realm acs, users alice and bob)
 * on {@code -Dkeycloak.port} (9444) with the stand-ins' certificate, trusted by the server as the issuer
 * {@code keycloak} (TRUSTED_ISSUERS); its users' mappings are kept in the database store. {@code -Dlocal.keycloak=only}
 * runs Keycloak instead of Entra ID: the server gets no AAD_* setting and trusts Keycloak alone (database store).
 *
 * <p>When the API answers, it mints the demo user's tokens with the password grant at the Entra stand-in (the real
 * protocol, over HTTPS), prints how to call every endpoint, and writes {@code target/local-stack.env}.
 */
public final class LocalStack {

    private static final String TEAMS_SCOPES = "https://auth.msft.communication.azure.com/Teams.ManageCalls"
            + " https://auth.msft.communication.azure.com/Teams.ManageChats";

    private static final String KEYCLOAK_SCOPES = "openid " + KeycloakServer.API_SCOPE;

    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        Path buildDir = Path.of(args.length > 0 ? args[0] : "target").toAbsolutePath();
        Path war = Path.of(args.length > 1 ? args[1] : RuntimeLayout.serverWar(buildDir).toString()).toAbsolutePath();
        Path workDir = buildDir.resolve("local-stack");
        Path envFile = buildDir.resolve("local-stack.env");
        int apiPort = Integer.getInteger("api.port", 8080);
        int entraPort = Integer.getInteger("standin.entra.port", 9441);
        int graphPort = Integer.getInteger("standin.graph.port", 9442);
        int acsPort = Integer.getInteger("standin.acs.port", 9443);
        String keycloakMode = System.getProperty("local.keycloak", "false");
        boolean keycloakOnly = "only".equals(keycloakMode);
        boolean withKeycloak = keycloakOnly || "true".equals(keycloakMode);
        int keycloakPort = Integer.getInteger("keycloak.port", 9444);

        if (!Files.isRegularFile(war)) {
            fail("The WAR " + war + " is missing: start the stack with ./mvnw -Plocal-stack, which builds it.");
        }
        String runtime = System.getProperty("it.runtime", "payara6");
        requireFree(apiPort, "the API server (" + runtime + ")", "api.port");
        requireFree(entraPort, "the Entra ID stand-in", "standin.entra.port");
        requireFree(graphPort, "the Graph stand-in", "standin.graph.port");
        requireFree(acsPort, "the ACS stand-in", "standin.acs.port");
        if (withKeycloak) {
            requireFree(keycloakPort, "Keycloak", "keycloak.port");
            if (!KeycloakServer.available()) {
                fail("-Dlocal.keycloak=true: Keycloak is not unpacked under system-tests/target/keycloak, or no JDK 21+ is found for it"
                        + " (-Dkeycloak.javaHome=<jdk>); ./mvnw -Plocal-stack unpacks it");
            }
        }
        Files.deleteIfExists(envFile);

        long started = System.nanoTime();
        StandIns standIns;
        try {
            standIns = StandIns.start(new StandInOptions(entraPort, graphPort, acsPort, workDir.resolve("standins")));
        } catch (PortInUseException e) {
            fail(e.getMessage());
            return;
        }
        ServerRuntime server = ServerRuntime.named(runtime, buildDir, workDir.resolve(runtime), apiPort);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<KeycloakServer> keycloakServer = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping the local stack ...");
            server.close();
            if (keycloakServer.get() != null) {
                keycloakServer.get().close();
            }
            standIns.close();
            try {
                Files.deleteIfExists(envFile);
            } catch (IOException e) {
                // nothing to clean up then
            }
            stopped.countDown();
            System.out.println("Local stack stopped.");
        }, "local-stack-stopper"));

        Map<String, String> env = new LinkedHashMap<>(standIns.serverEnvironment());
        env.put("OPENAPI_UI_ENABLED", "true");
        if (!keycloakOnly) {
            // the /try/ page signs in with the API's own app registration (BROWSER_CLIENT_ID's default): its SPA
            // redirect URIs are the page's and Swagger UI's, under both names of this machine
            env.put("TRY_PAGE_ENABLED", "true");
            for (String host : List.of("localhost", "127.0.0.1")) {
                for (String path : List.of("/try/redirect.html", "/try/", "/openapi-ui/oauth2-redirect.html")) {
                    standIns.entra().registerSpaRedirectUri(EntraStandIn.API_CLIENT_ID, "http://" + host + ":" + apiPort + path);
                }
            }
        }
        String credentials;
        try {
            env.putAll(mappingStore(server, buildDir));
            credentials = credentials(standIns, env);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        System.out.println("Stand-ins listening: Entra ID " + standIns.aadInstance() + ", Graph " + standIns.graphBaseUrl()
                + ", ACS https://127.0.0.1:" + acsPort + "/");
        System.out.println("Credentials: " + credentials);
        KeycloakServer keycloak = null;
        if (withKeycloak) {
            Path keycloakDir = workDir.resolve("keycloak");
            System.out.println("Starting Keycloak on port " + keycloakPort + " (log: " + shown(keycloakDir.resolve("keycloak.log")) + ") ...");
            try {
                // the stand-ins' certificate: the server and curl --cacert already trust it
                keycloak = KeycloakServer.start(keycloakDir, KeycloakServer.standInsKeyStore(workDir.resolve("standins")),
                        SelfSignedKeyStore.PASSWORD, keycloakPort);
            } catch (ServerStartException e) {
                fail(e.getMessage());
                return;
            }
            keycloakServer.set(keycloak);
            env.putAll(keycloak.serverEnvironment());
            env.put("ISSUER_KEYCLOAK_STORE", "database");
            if (keycloakOnly) {
                // Keycloak instead of Entra ID: the server trusts no Entra tenant, so it needs no Entra setting at all
                env.keySet().removeAll(List.of("AAD_INSTANCE", "AAD_TENANT_ID", "AAD_CLIENT_ID", "AAD_CLIENT_SECRET",
                        "AAD_CLIENT_CERTIFICATE", "AAD_CLIENT_ASSERTION", "GRAPH_BASE_URL", "MAPPING_SIGNING_KEYS",
                        "TRY_PAGE_ENABLED"));
                env.put("MAPPING_STORE", "database");
            }
        }
        System.out.println("Starting " + runtime + " with " + war.getFileName() + " on port " + apiPort
                + " (log: " + shown(workDir.resolve(runtime + "/server.log")) + ") ...");
        try {
            server.start(war, env, List.of(
                    "-Djavax.net.ssl.trustStore=" + standIns.trustStore().toAbsolutePath(),
                    "-Djavax.net.ssl.trustStorePassword=" + standIns.trustStorePassword(),
                    "-Djavax.net.ssl.trustStoreType=PKCS12",
                    // the options the Dockerfile ships (docs/benchmarks.md, "Small containers")
                    "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"));
        } catch (ServerStartException e) {
            fail(e.getMessage());
            return;
        }

        if (keycloakOnly) {
            Path caCert = writePem(standIns.trustStore(), standIns.trustStorePassword(), workDir.resolve("tls/standins-ca.pem"));
            String keycloakUser = "bob".equals(System.getProperty("demo.user")) ? "bob" : "alice";
            Map<String, String> values = new LinkedHashMap<>();
            values.put("API_BASE_URL", server.baseUrl().toString());
            values.put("CA_CERT", caCert.toString());
            values.put("KEYCLOAK_ISSUER", keycloak.issuer());
            values.put("KEYCLOAK_TOKEN_ENDPOINT", keycloak.tokenEndpoint());
            values.put("KEYCLOAK_USER_TOKEN", keycloak.accessToken(keycloakUser, keycloakUser + "-password", KEYCLOAK_SCOPES));
            writeEnvFile(envFile, values);
            String api = server.baseUrl().toString();
            System.out.printf("""

                    ==============================================================================================
                     acs-auth-server local stack is ready (%.0f s), with Keycloak instead of Entra ID. Ctrl-C stops everything.
                    ==============================================================================================
                     API base URL   %s/api          (Swagger UI: %s/openapi-ui, OpenAPI: %s/openapi)
                     Settings       %s   ->   source it:  . %s
                     The server trusts no Entra tenant (no AAD_* settings); mappings are in the database store.
                    """, (System.nanoTime() - started) / 1e9, api, api, api, shown(envFile), shown(envFile));
            printKeycloak(keycloak, keycloakUser, shown(caCert));
            stopped.await();
            return;
        }
        DemoUser user = standIns.entra().user(System.getProperty("demo.user", "alice"));
        Path caCert = writePem(standIns.trustStore(), standIns.trustStorePassword(), workDir.resolve("tls/standins-ca.pem"));
        // tokens are requested with the API's own client id (no secret), as the README's curl does: the Teams token's
        // appid then equals ACS_TEAMS_APP_ID's default (AAD_CLIENT_ID), so the server needs no extra setting
        PasswordGrant grant = new PasswordGrant(URI.create(standIns.entra().tokenEndpoint()), standIns.sslContext(),
                standIns.apiClientId());
        String apiScope = "api://" + standIns.apiClientId() + "/access_as_user";
        String userToken = grant.accessToken(user, apiScope);
        String teamsToken = grant.accessToken(user, TEAMS_SCOPES);

        Map<String, String> values = new LinkedHashMap<>();
        values.put("API_BASE_URL", server.baseUrl().toString());
        values.put("DEMO_USER_TOKEN", userToken);
        values.put("TEAMS_USER_TOKEN", teamsToken);
        values.put("AAD_INSTANCE", standIns.aadInstance());
        values.put("AAD_TENANT_ID", standIns.tenantId());
        values.put("AAD_CLIENT_ID", standIns.apiClientId());
        values.put("AAD_TOKEN_ENDPOINT", standIns.entra().tokenEndpoint());
        values.put("CA_CERT", caCert.toString());
        String keycloakUser = "bob".equals(user.username()) ? "bob" : "alice";
        if (keycloak != null) {
            values.put("KEYCLOAK_ISSUER", keycloak.issuer());
            values.put("KEYCLOAK_TOKEN_ENDPOINT", keycloak.tokenEndpoint());
            values.put("KEYCLOAK_USER_TOKEN", keycloak.accessToken(keycloakUser, keycloakUser + "-password", KEYCLOAK_SCOPES));
        }
        writeEnvFile(envFile, values);

        String api = server.baseUrl().toString();
        String cacert = shown(caCert);
        System.out.printf("""

                ==============================================================================================
                 acs-auth-server local stack is ready (%.0f s). Ctrl-C stops everything.
                ==============================================================================================
                 API base URL   %s/api          (Swagger UI: %s/openapi-ui, OpenAPI: %s/openapi)
                 Try it         http://localhost:%d/try/   (sign in, call the API, watch the ACS token refresh: below)
                 Demo user      %s / %s (oid %s)
                 Settings       %s   ->   source it:  . %s

                 Demo user's API token (1 h):
                %s

                 Mint a fresh one from the Entra ID stand-in (the OAuth 2.0 password grant):
                   curl -s --cacert %s %s \\
                     -d grant_type=password -d client_id=%s -d username=%s -d password=%s \\
                     --data-urlencode 'scope=%s'
                 ... and a Teams user's token for /api/token/teams: the same with
                     --data-urlencode 'scope=%s'

                 Try it in a browser:  http://localhost:%d/try/   (Swagger UI signs in the same way: http://localhost:%d/openapi-ui/)
                   Sign in as %s / %s. The sign-in page is the Entra ID stand-in's (%s): the browser must trust
                   its self-signed certificate. Import %s as a trusted authority, or start a Chromium that trusts
                   exactly that certificate:
                     chromium --user-data-dir=$(mktemp -d) --ignore-certificate-errors-spki-list=%s http://localhost:%d/try/

                 Call the API (after sourcing the settings file):
                   curl -i -X POST   -H "Authorization: Bearer $DEMO_USER_TOKEN" $API_BASE_URL/api/user
                   curl -i           -H "Authorization: Bearer $DEMO_USER_TOKEN" $API_BASE_URL/api/user
                   curl -i           -H "Authorization: Bearer $DEMO_USER_TOKEN" $API_BASE_URL/api/token
                   curl -i           -H "Authorization: Bearer $DEMO_USER_TOKEN" -H "teams-user-aad-token: $TEAMS_USER_TOKEN" $API_BASE_URL/api/token/teams
                   curl -i -X DELETE -H "Authorization: Bearer $DEMO_USER_TOKEN" $API_BASE_URL/api/user
                ==============================================================================================
                """,
                (System.nanoTime() - started) / 1e9, api, api, api, apiPort,
                user.username(), user.password(), user.oid(),
                shown(envFile), shown(envFile),
                userToken,
                cacert, standIns.entra().tokenEndpoint(), standIns.apiClientId(), user.username(), user.password(),
                apiScope, TEAMS_SCOPES,
                apiPort, apiPort, user.username(), user.password(), standIns.aadInstance(), cacert,
                String.join(",", Chromium.trustedKeyHashes(standIns.trustStore(), standIns.trustStorePassword())), apiPort);
        if (keycloak != null) {
            printKeycloak(keycloak, keycloakUser, cacert);
        }
        stopped.await();
    }

    private static void printKeycloak(KeycloakServer keycloak, String keycloakUser, String cacert) {
        System.out.printf("""
                 Keycloak (issuer %s, the server's issuer "keycloak"; users alice/alice-password, bob/bob-password;
                 their mappings in the database store). %s's token is KEYCLOAK_USER_TOKEN in the settings file; mint one:
                   KEYCLOAK_USER_TOKEN=$(curl -s --cacert %s %s \\
                     -d grant_type=password -d client_id=%s -d username=%s -d password=%s-password \\
                     --data-urlencode 'scope=%s' | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
                 ... and call the API with it:
                   curl -i -X POST   -H "Authorization: Bearer $KEYCLOAK_USER_TOKEN" $API_BASE_URL/api/user
                   curl -i           -H "Authorization: Bearer $KEYCLOAK_USER_TOKEN" $API_BASE_URL/api/token
                   curl -i -X DELETE -H "Authorization: Bearer $KEYCLOAK_USER_TOKEN" $API_BASE_URL/api/user
                 Admin console: none (no admin user); the realm is system-tests/src/test/resources/keycloak/acs-realm.json
                ==============================================================================================
                """, keycloak.issuer(), keycloakUser, cacert, keycloak.tokenEndpoint(), KeycloakServer.SPA_CLIENT_ID,
                keycloakUser, keycloakUser, KEYCLOAK_SCOPES);
    }

    /**
     * {@code -Dmapping=database}: the database store on the server's embedded default data source, or with
     * {@code -Dmapping.postgres=host:port/database} (and {@code .user}, {@code .password}) on a PostgreSQL of yours,
     * offered to the server as its own data source. Default: signed Graph open extensions on the stand-in.
     */
    private static Map<String, String> mappingStore(ServerRuntime server, Path buildDir) {
        String store = System.getProperty("mapping", "graph");
        if ("graph".equals(store)) {
            return Map.of();
        }
        if (!"database".equals(store)) {
            throw new IllegalArgumentException("-Dmapping=" + store + ": use graph (default) or database");
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MAPPING_STORE", "database");
        String postgres = System.getProperty("mapping.postgres");
        if (postgres != null) {
            java.util.regex.Matcher where = java.util.regex.Pattern.compile("([^:/]+):(\\d+)/(\\w+)").matcher(postgres);
            if (!where.matches()) {
                throw new IllegalArgumentException("-Dmapping.postgres=" + postgres + ": give host:port/database");
            }
            JdbcDataSource dataSource = new JdbcDataSource("acsMappings",
                    Path.of(System.getProperty("it.postgresqlJar", buildDir.resolve("jdbc/postgresql.jar").toString())),
                    where.group(1), Integer.parseInt(where.group(2)), where.group(3),
                    System.getProperty("mapping.postgres.user", "postgres"), System.getProperty("mapping.postgres.password", "postgres"));
            env.put("MAPPING_DATASOURCE", server.addDataSource(dataSource));
        }
        return env;
    }

    /**
     * {@code -Dcredentials=secretless}: no secret in the server's settings, as recommended on Azure: ACS with a token of
     * the user-assigned managed identity (the stand-in's App Service identity endpoint), On-Behalf-Of with that
     * identity's token as a federated assertion. Default: the client secret and the ACS access key.
     */
    private static String credentials(StandIns standIns, Map<String, String> env) {
        String kind = System.getProperty("credentials", "secrets");
        if ("secrets".equals(kind)) {
            return "client secret (AAD_CLIENT_SECRET) for On-Behalf-Of, access key (ACS_CONNECTION_STRING) for ACS;"
                    + " -Dcredentials=secretless for none";
        }
        if (!"secretless".equals(kind)) {
            throw new IllegalArgumentException("-Dcredentials=" + kind + ": use secrets (default) or secretless");
        }
        env.remove("AAD_CLIENT_SECRET");
        env.remove("ACS_CONNECTION_STRING");
        env.putAll(standIns.managedIdentityEnvironment());
        env.put("ACS_ENDPOINT", standIns.acsEndpoint());
        env.put("MANAGED_IDENTITY_CLIENT_ID", EntraStandIn.USER_ASSIGNED_IDENTITY.clientId());
        if (!"database".equals(env.get("MAPPING_STORE"))) {
            env.put("AAD_CLIENT_ASSERTION", "managed-identity");
        }
        return "no secret: the user-assigned managed identity " + EntraStandIn.USER_ASSIGNED_IDENTITY.clientId()
                + " (IDENTITY_ENDPOINT " + standIns.managedIdentityEnvironment().get("IDENTITY_ENDPOINT") + ") signs in to ACS"
                + ("database".equals(env.get("MAPPING_STORE")) ? "" : " and is the app's federated credential for On-Behalf-Of");
    }

    private static void requireFree(int port, String what, String property) {
        if (!Ports.isFree(port)) {
            fail("Port " + port + " for " + what + " is already in use; choose another with -D" + property + "=<port>");
        }
    }

    private static void fail(String message) {
        System.err.println("local stack: " + message);
        System.exit(1);
    }

    /** The path as the user typed it from the project directory, when it is below the working directory. */
    private static String shown(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        return path.startsWith(cwd) ? cwd.relativize(path).toString() : path.toString();
    }

    /** The stand-ins' certificate as PEM, for curl's --cacert and for browsers. */
    private static Path writePem(Path trustStore, String password, Path pem) {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            StringBuilder text = new StringBuilder();
            for (String alias : java.util.Collections.list(store.aliases())) {
                Certificate cert = store.getCertificate(alias);
                if (cert != null) {
                    text.append("-----BEGIN CERTIFICATE-----\n")
                            .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded()))
                            .append("\n-----END CERTIFICATE-----\n");
                }
            }
            Files.createDirectories(pem.getParent());
            Files.writeString(pem, text);
            return pem;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + trustStore, e);
        }
    }

    /** Shell assignments, single-quoted so that {@code . target/local-stack.env} works in sh and bash. */
    private static void writeEnvFile(Path file, Map<String, String> values) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# written by ./mvnw -Plocal-stack while the stack runs; removed when it stops");
        values.forEach((name, value) -> lines.add(name + "='" + value.replace("'", "'\\''") + "'"));
        Files.write(file, lines);
    }
}
