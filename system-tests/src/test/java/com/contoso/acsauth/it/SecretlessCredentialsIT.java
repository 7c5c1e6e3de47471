package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.it.runtime.ServerRuntime;
import com.contoso.acsauth.standin.StandIns;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No secret in the configuration: servers of the same kind started with each credential kind the issue names (ACS:
 * managed identity, workload identity; On-Behalf-Of: certificate, managed-identity federated assertion, token file)
 * run the whole user and token flow against the stand-ins, which check each credential as Entra ID and ACS do.
 */
@OnDeployedWar
class SecretlessCredentialsIT {

    static final Set<String> SECRETS = Set.of("AAD_CLIENT_SECRET", "ACS_CONNECTION_STRING");
    static final Map<String, ServerRuntime> STARTED = new LinkedHashMap<>();
    /** The server's copy of the app's certificate, which a test replaces as Key Vault or cert-manager would. */
    static final Path CERTIFICATE_FILE = Path.of(System.getProperty("it.buildDir", "target")).toAbsolutePath()
            .resolve("secretless-app.p12");
    static final Setup CERTIFICATE = new Setup("certificate (PKCS12) for On-Behalf-Of, system-assigned identity for ACS (IMDS)",
            standIns -> with(standIns.imdsEnvironment(), Map.of(
                    "ACS_ENDPOINT", standIns.acsEndpoint(),
                    "AAD_CLIENT_CERTIFICATE_PATH", copyOf(standIns.certificateFiles().pkcs12()).toString(),
                    "AAD_CLIENT_CERTIFICATE_PASSWORD", standIns.certificateFiles().pkcs12Password())),
            EntraStandIn.SYSTEM_ASSIGNED_IDENTITY.objectId());
    static final Setup WORKLOAD_IDENTITY = new Setup("AKS workload identity: token file for On-Behalf-Of and for ACS",
            standIns -> with(standIns.workloadIdentityEnvironment(), Map.of(
                    "ACS_ENDPOINT", standIns.acsEndpoint(),
                    "ACS_CREDENTIAL", "workload-identity",
                    "AAD_CLIENT_ASSERTION_FILE", standIns.workloadIdentityTokenFile().toString())),
            null);

    /** A named set of settings replacing the two secrets, and the ACS caller it must show up as. */
    record Setup(String name, Function<StandIns, Map<String, String>> environment, String acsCaller) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> setups() {
        return Stream.of(
                new Setup("user-assigned managed identity: ACS token and federated assertion (App Service endpoint)",
                        standIns -> with(standIns.managedIdentityEnvironment(), Map.of(
                                "ACS_ENDPOINT", standIns.acsEndpoint(),
                                "ACS_CREDENTIAL", "managed-identity",
                                "MANAGED_IDENTITY_CLIENT_ID", EntraStandIn.USER_ASSIGNED_IDENTITY.clientId(),
                                "AAD_CLIENT_ASSERTION", "managed-identity")),
                        EntraStandIn.USER_ASSIGNED_IDENTITY.objectId()),
                CERTIFICATE,
                WORKLOAD_IDENTITY)
                .map(Arguments::of);
    }

    @AfterAll
    static void stopThem() {
        STARTED.values().forEach(ServerRuntime::close);
        STARTED.clear();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void theWholeFlowRunsWithoutASecret(Setup setup) {
        Api api = apiOf(setup);
        Api.User user = api.freshUser();

        Api.Reply created = api.post("/api/user", user.token());
        Api.Reply token = api.get("/api/token", user.token());
        var carol = api.standIns().entra().user("carol");
        Api.Reply teams = api.send("GET", "/api/token/teams", api.standIns().entra().apiToken(carol),
                Map.of("teams-user-aad-token", api.standIns().entra().teamsToken(carol, api.standIns().apiClientId())));
        Api.Reply deleted = api.delete("/api/user", user.token());

        assertEquals(201, created.status(), created::toString);
        assertEquals(201, token.status(), token::toString);
        assertEquals(201, teams.status(), teams::toString);
        assertEquals(204, deleted.status(), deleted::toString);
        String id = created.json().getString("acsUserIdentity");
        String caller = api.standIns().acs().createdBy(id).orElseThrow();
        assertTrue(!caller.equals(com.contoso.acsauth.standin.acs.AcsStandIn.ACCESS_KEY_CALLER),
                "ACS saw an Entra token, not the access key");
        if (setup.acsCaller() != null) {
            assertEquals(setup.acsCaller(), caller, "ACS saw the configured identity");
        }
    }

    @Test
    void aReplacedCertificateFileIsUsedWithoutARestart() throws IOException {
        Api api = apiOf(CERTIFICATE);
        StandIns standIns = api.standIns();

        assertEquals(201, api.post("/api/user", api.freshUser().token()).status());
        replace(CERTIFICATE_FILE, standIns.certificateFiles().unregisteredPkcs12());
        Api.Reply withUnregistered = api.post("/api/user", api.freshUser().token());
        replace(CERTIFICATE_FILE, standIns.certificateFiles().pkcs12());
        Api.Reply withRegistered = api.post("/api/user", api.freshUser().token());

        withUnregistered.assertProblem(502);
        assertTrue(withUnregistered.json().getString("detail").contains("AADSTS700027"), withUnregistered::toString);
        assertEquals(201, withRegistered.status(), withRegistered::toString);
    }

    @Test
    void theTokenFileIsReadForEachNewAssertion() {
        Api api = apiOf(WORKLOAD_IDENTITY);
        StandIns standIns = api.standIns();

        standIns.writeWorkloadIdentityToken("not-a-token");
        Api.Reply withGarbage = api.post("/api/user", api.freshUser().token());
        standIns.rotateWorkloadIdentityToken();
        Api.Reply withFresh = api.post("/api/user", api.freshUser().token());

        withGarbage.assertProblem(502);
        assertEquals(201, withFresh.status(), withFresh::toString);
    }

    /** One server per setup, started on first use; its logs join the suite's (LogHygieneIT reads them all). */
    private static Api apiOf(Setup setup) {
        assumeTrue(MappingMode.current().graph(), "On-Behalf-Of credentials matter with the Graph store");
        DeployedServer server = DeployedServer.get();
        ServerRuntime runtime = STARTED.computeIfAbsent(setup.name(), name -> server.startAnother(
                "secretless-" + STARTED.size(), setup.environment().apply(server.standIns()), SECRETS));
        return new Api(server, runtime.baseUrl());
    }

    private static void replace(Path target, Path with) throws IOException {
        Path next = target.resolveSibling(target.getFileName() + ".next");
        Files.copy(with, next, StandardCopyOption.REPLACE_EXISTING);
        // a platform swaps the file at once; a later modification time is what the server watches
        Files.setLastModifiedTime(next, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 1000));
        Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path copyOf(Path certificate) {
        try {
            Files.copy(certificate, CERTIFICATE_FILE, StandardCopyOption.REPLACE_EXISTING);
            return CERTIFICATE_FILE;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> with(Map<String, String> platform, Map<String, String> settings) {
        Map<String, String> env = new LinkedHashMap<>(platform);
        env.putAll(settings);
        return env;
    }
}
