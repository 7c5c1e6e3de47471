package com.contoso.acsauth.standin;

import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade: configuration it hands out, restarts, ports, reset, and the command-line runner. */
class StandInsTest {

    static final Path WORK_DIR = Path.of("target/standin-test");

    @Test
    void handsOutTheServerEnvironment() {
        try (StandIns standIns = StandIns.start(StandInOptions.randomPorts(WORK_DIR))) {
            Map<String, String> env = standIns.serverEnvironment();

            assertEquals(List.of("AAD_INSTANCE", "AAD_TENANT_ID", "AAD_CLIENT_ID", "AAD_CLIENT_SECRET", "GRAPH_BASE_URL", "ACS_CONNECTION_STRING",
                    "MAPPING_SIGNING_KEYS"), List.copyOf(env.keySet()));
            assertEquals(32, java.util.Base64.getDecoder().decode(env.get("MAPPING_SIGNING_KEYS")).length);
            assertEquals("https://127.0.0.1:" + standIns.entra().port() + "/", env.get("AAD_INSTANCE"));
            assertEquals("https://127.0.0.1:" + standIns.graph().port() + "/v1.0", env.get("GRAPH_BASE_URL"));
            assertTrue(env.get("ACS_CONNECTION_STRING").matches("endpoint=https://127\\.0\\.0\\.1:\\d+/;accesskey=[A-Za-z0-9+/]+=*"));
            assertEquals(standIns.tenantId(), env.get("AAD_TENANT_ID"));
            assertEquals(standIns.apiClientId(), env.get("AAD_CLIENT_ID"));
            assertEquals(standIns.apiClientSecret(), env.get("AAD_CLIENT_SECRET"));
            assertEquals("changeit", standIns.trustStorePassword());
            assertEquals(List.of("alice@contoso.test", "bob@contoso.test", "carol@contoso.test"),
                    standIns.entra().users().stream().map(DemoUser::username).toList());
            assertEquals("bob-password", standIns.entra().user("bob").password());
        }
    }

    @Test
    void handsOutTheEnvironmentOfEachCredentialKindWithoutSecrets() throws Exception {
        try (StandIns standIns = StandIns.start(StandInOptions.randomPorts(WORK_DIR))) {
            Map<String, String> appService = standIns.managedIdentityEnvironment();
            Map<String, String> imds = standIns.imdsEnvironment();
            Map<String, String> workload = standIns.workloadIdentityEnvironment();
            CertificateFiles files = standIns.certificateFiles();

            assertEquals(List.of("IDENTITY_ENDPOINT", "IDENTITY_HEADER"), List.copyOf(appService.keySet()));
            assertEquals("http://127.0.0.1:" + standIns.identityEndpoint().port() + "/msi/token", appService.get("IDENTITY_ENDPOINT"));
            assertTrue(appService.get("IDENTITY_HEADER").length() >= 32);
            assertEquals(Map.of("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:" + standIns.imds().port()), imds);
            assertEquals(List.of("AZURE_AUTHORITY_HOST", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE"),
                    List.copyOf(workload.keySet()));
            assertEquals(standIns.aadInstance(), workload.get("AZURE_AUTHORITY_HOST"));
            assertEquals(standIns.apiClientId(), workload.get("AZURE_CLIENT_ID"));
            assertEquals("https://127.0.0.1:" + standIns.acs().port() + "/", standIns.acsEndpoint());
            assertTrue(standIns.acsConnectionString().startsWith("endpoint=" + standIns.acsEndpoint() + ";"));

            // the token file: a service-account token of the cluster, replaced whole on rotation
            Path tokenFile = Path.of(workload.get("AZURE_FEDERATED_TOKEN_FILE"));
            String first = Files.readString(tokenFile);
            JWTClaimsSet claims = SignedJWT.parse(first).getJWTClaimsSet();
            assertEquals(standIns.clusterIssuer().issuer(), claims.getIssuer());
            assertEquals("system:serviceaccount:acs-auth:acs-auth-server", claims.getSubject());
            assertEquals(List.of("api://AzureADTokenExchange"), claims.getAudience());
            assertFalse(first.endsWith("\n"));
            String rotated = standIns.rotateWorkloadIdentityToken();
            assertNotEquals(first, rotated);
            assertEquals(rotated, Files.readString(tokenFile));

            // the certificate files: one key pair, the one registered on the API app, in each form
            KeyStore pkcs12 = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(files.pkcs12())) {
                pkcs12.load(in, files.pkcs12Password().toCharArray());
            }
            assertEquals(1, pkcs12.size());
            assertEquals(standIns.entra().apiAppCertificate(), pkcs12.getCertificate(pkcs12.aliases().nextElement()));
            assertTrue(Files.readString(files.pem()).matches("(?s)-----BEGIN PRIVATE KEY-----\n.+-----END PRIVATE KEY-----\n"
                    + "-----BEGIN CERTIFICATE-----\n.+-----END CERTIFICATE-----\n"));
            assertEquals(Files.readString(files.pem()), Files.readString(files.pemPrivateKey()) + Files.readString(files.pemCertificate()));
            KeyStore unregistered = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(files.unregisteredPkcs12())) {
                unregistered.load(in, files.pkcs12Password().toCharArray());
            }
            assertNotEquals(standIns.entra().apiAppCertificate(), unregistered.getCertificate(unregistered.aliases().nextElement()));
        }
    }

    @Test
    void trustStoreHoldsACertificateFor127001() throws Exception {
        try (StandIns standIns = StandIns.start(StandInOptions.randomPorts(WORK_DIR))) {
            X509Certificate cert = onlyCertificate(standIns.trustStore());

            assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals("127.0.0.1")));
            assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals("localhost")));
        }
    }

    @Test
    void restartKeepsCertificateAndSigningKey() throws Exception {
        X509Certificate firstCert;
        String firstKid;
        X509Certificate firstClientCertificate;
        String firstClusterKid;
        try (StandIns first = StandIns.start(StandInOptions.randomPorts(WORK_DIR))) {
            firstCert = onlyCertificate(first.trustStore());
            firstKid = first.entra().signingKey().getKeyID();
            firstClientCertificate = first.entra().apiAppCertificate();
            firstClusterKid = first.clusterIssuer().signingKey().getKeyID();
        }
        try (StandIns second = StandIns.start(StandInOptions.randomPorts(WORK_DIR))) {
            assertEquals(firstCert, onlyCertificate(second.trustStore()));
            assertEquals(firstKid, second.entra().signingKey().getKeyID());
            assertEquals(firstClientCertificate, second.entra().apiAppCertificate());
            assertEquals(firstClusterKid, second.clusterIssuer().signingKey().getKeyID());
        }
    }

    @Test
    void unreadableKeyMaterialIsMadeAgain(@org.junit.jupiter.api.io.TempDir Path workDir) throws Exception {
        StandIns.start(StandInOptions.randomPorts(WORK_DIR)).close();
        // only the TLS store is broken: the other stores are copied, so one keytool run remains
        List<String> stores = new java.util.ArrayList<>(List.of(StandIns.SIGNING_KEY_STORE, StandIns.ACS_SIGNING_KEY_STORE,
                StandIns.API_APP_CERTIFICATE_STORE, StandIns.UNREGISTERED_CERTIFICATE_STORE, StandIns.CLUSTER_SIGNING_KEY_STORE));
        for (com.contoso.acsauth.standin.entra.IssuerShape shape : com.contoso.acsauth.standin.entra.IssuerShape.values()) {
            if (shape.keyStoreFile() != null) {
                stores.add(shape.keyStoreFile());
            }
        }
        for (String store : stores) {
            Files.copy(WORK_DIR.resolve(store), workDir.resolve(store));
        }
        Files.writeString(workDir.resolve(StandIns.TLS_KEY_STORE), "not a key store");

        try (StandIns standIns = StandIns.start(StandInOptions.randomPorts(workDir))) {
            X509Certificate made = onlyCertificate(standIns.trustStore());
            assertTrue(made.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals("127.0.0.1")));
        }
    }

    @Test
    void busyPortSaysWhichPropertyMovesIt() {
        try (StandIns first = StandIns.start(StandInOptions.randomPorts(WORK_DIR))) {
            int busy = first.graph().port();

            PortInUseException e = assertThrows(PortInUseException.class,
                    () -> StandIns.start(new StandInOptions(0, busy, 0, WORK_DIR)));

            assertEquals(busy, e.port());
            assertEquals("Port " + busy + " for the Graph stand-in is already in use; choose another with -Dstandin.graph.port=<port>",
                    e.getMessage());
        }
    }

    @Test
    void resetForgetsEverything() {
        try (StandIns standIns = StandIns.start(StandInOptions.randomPorts(WORK_DIR))) {
            DemoUser alice = standIns.entra().user("alice");
            standIns.acs().createIdentity();
            standIns.graph().seedExtension(alice.oid(), standIns.apiClientId(), "x", Map.of());
            standIns.faults().inject(Operation.GRAPH_GET_ME, Fault.status(500).share(1));
            standIns.entra().withholdConsent(true);
            standIns.entra().requireMfa(alice.oid());
            standIns.entra().confidentialClient(standIns.apiClientId()).federatedCredentials().clear();
            standIns.acs().unassignRole(EntraStandIn.API_SERVICE_PRINCIPAL_ID);

            standIns.reset();

            assertEquals(0, standIns.acs().liveIdentities().size());
            assertEquals(2, standIns.entra().confidentialClient(standIns.apiClientId()).federatedCredentials().size());
            assertTrue(standIns.acs().roleAssignees().contains(EntraStandIn.API_SERVICE_PRINCIPAL_ID));
            assertEquals(Map.of(), standIns.graph().extensionsOf(alice.oid()));
            assertEquals(0, standIns.calls().total());
        }
    }

    @Test
    void mainPrintsTheEnvironmentAndStopsOnSigterm() throws Exception {
        Process main = startMain("-Dstandin.entra.port=0", "-Dstandin.graph.port=0", "-Dstandin.acs.port=0",
                "-Dstandin.identityEndpoint.port=0", "-Dstandin.imds.port=0", "-Dstandin.clusterIssuer.port=0");
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(main.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("Token endpoint:")) {
                    main.toHandle().destroy(); // SIGTERM, leaving our end of the pipes open
                }
            }
        }
        assertTrue(main.waitFor(20, TimeUnit.SECONDS));
        String stderr = new String(main.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(lines.stream().anyMatch(l -> l.matches("AAD_INSTANCE=https://127\\.0\\.0\\.1:\\d+/")), String.join("\n", lines) + stderr);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("ACS_CONNECTION_STRING=endpoint=https://127.0.0.1:")));
        assertTrue(lines.contains("Stand-ins stopped."), String.join("\n", lines));
    }

    @Test
    void mainNamesABusyPortInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int busy = taken.getLocalPort();
            Process main = startMain("-Dstandin.entra.port=0", "-Dstandin.graph.port=0", "-Dstandin.acs.port=" + busy,
                    "-Dstandin.identityEndpoint.port=0", "-Dstandin.imds.port=0", "-Dstandin.clusterIssuer.port=0");

            String stderr = new String(main.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(main.waitFor(20, TimeUnit.SECONDS));
            assertEquals(1, main.exitValue());
            assertEquals("Port " + busy + " for the ACS stand-in is already in use; choose another with -Dstandin.acs.port=<port>",
                    stderr.strip());
        }
    }

    private static Process startMain(String... properties) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(properties));
        command.addAll(List.of("-Dstandin.workDir=" + WORK_DIR, "-cp", System.getProperty("java.class.path"), StandInsMain.class.getName()));
        try {
            return new ProcessBuilder(command).start();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509Certificate onlyCertificate(Path trustStore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(trustStore)) {
            ks.load(in, "changeit".toCharArray());
        }
        assertEquals(1, ks.size());
        return (X509Certificate) ks.getCertificate(ks.aliases().nextElement());
    }
}
