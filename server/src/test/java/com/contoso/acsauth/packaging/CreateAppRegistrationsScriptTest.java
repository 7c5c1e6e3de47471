package com.contoso.acsauth.packaging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs scripts/azure/create-app-registrations.sh against a stand-in {@code az} (az-stub.sh next to this class):
 * a tenant kept in files, every call recorded, answers shaped like az 2.x's. No Azure tenant is reachable here, so
 * this is what checks the script's re-runs, its exact-name lookup, consent in sovereign clouds, the federated credential
 * that replaces the client secret, and its output.
 */
class CreateAppRegistrationsScriptTest {

    /** The repository: the server module's parent directory. */
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().getParent();
    private static final Path SCRIPT = ROOT.resolve("scripts/azure/create-app-registrations.sh");
    private static final String GRAPH = "00000003-0000-0000-c000-000000000000";
    private static final String ACS = "1fd5118e-2576-4263-8130-9503064c837a";
    private static final String TENANT = "11111111-2222-4333-8444-555555555555";
    private static final String IDENTITY = "aaaaaaaa-1111-4111-8111-111111111111";
    private static final String IDENTITY_CLIENT = "cccccccc-2222-4222-8222-222222222222";
    private static final String USER_ASSIGNED =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acs-auth-server-id";

    @TempDir
    Path work;

    private Path bin;
    private Path tenant;

    @BeforeEach
    void stubAzOnPath() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")), "needs bash");
        bin = Files.createDirectory(work.resolve("bin"));
        tenant = Files.createDirectory(work.resolve("tenant"));
        try (InputStream stub = Objects.requireNonNull(getClass().getResourceAsStream("az-stub.sh"), "az-stub.sh")) {
            executable(bin.resolve("az"), new String(stub.readAllBytes(), UTF_8));
        }
        // The script waits 10 s between attempts; the stand-in tenant has no replication delay to wait for.
        executable(bin.resolve("sleep"), "#!/bin/sh\nexit 0\n");
    }

    @Test
    void firstRunCreatesBothRegistrationsGrantsConsentAndPrintsTheConfiguration() throws Exception {
        Run run = run(Map.of(), "--with-teams");

        assertEquals(0, run.exit(), run.stderr());
        Map<String, String> env = run.variables();
        String api = env.get("AAD_CLIENT_ID");
        String spa = env.get("ACS_TEAMS_APP_ID");
        assertEquals(List.of(api + "\tacs-auth-server", spa + "\tacs-auth-server-spa"), apps());
        assertEquals("https://login.microsoftonline.com/", env.get("AAD_INSTANCE"));
        assertEquals("11111111-2222-4333-8444-555555555555", env.get("AAD_TENANT_ID"));
        assertEquals("stub-secret-1", env.get("AAD_CLIENT_SECRET"));
        assertFalse(env.containsKey("GRAPH_BASE_URL"), "public cloud: the server's Graph defaults apply");
        assertTrue(run.stdout().contains("scopes      = [\"api://" + api + "/access_as_user\"]"), run.stdout());
        assertEquals(List.of(
                api + "\t" + GRAPH + "\tUser.Read User.ReadWrite",
                spa + "\t" + api + "\taccess_as_user",
                spa + "\t" + ACS + "\tTeams.ManageCalls Teams.ManageChats"), grants());
        assertTrue(calls().stream().noneMatch(c -> c.startsWith("ad app permission admin-consent")), "admin-consent is not used");
    }

    @Test
    void serverUrlsAddTheRedirectUrisOfTheTryPageAndSwaggerUiToTheSpa() throws Exception {
        Run run = run(Map.of(), "--server-url", "https://acs-auth.contoso.example/", "--server-url", "http://localhost:8080");

        assertEquals(0, run.exit(), run.stderr());
        String spaObject = objectIdOf(run.variables().get("ACS_TEAMS_APP_ID"));
        List<String> patches = calls().stream()
                .filter(c -> c.startsWith("rest ") && c.contains("/applications/" + spaObject + " ") && c.contains("\"spa\"")).toList();
        assertEquals(List.of("{\"spa\": {\"redirectUris\": [\"http://localhost:3000/\", "
                + "\"https://acs-auth.contoso.example/try/redirect.html\", \"https://acs-auth.contoso.example/openapi-ui/oauth2-redirect.html\", "
                + "\"http://localhost:8080/try/redirect.html\", \"http://localhost:8080/openapi-ui/oauth2-redirect.html\"]}}"),
                patches.stream().map(c -> c.substring(c.indexOf("--body ") + "--body ".length(), c.indexOf(" --output"))).toList());
        assertTrue(run.stdout().contains("# https://acs-auth.contoso.example: its /try/ page (TRY_PAGE_ENABLED=true)"), run.stdout());
    }

    @Test
    void aServerUrlThatEntraWouldRefuseStopsTheScriptBeforeItChangesAnything() throws Exception {
        for (String url : List.of("http://acs-auth.contoso.example", "https://acs-auth.contoso.example/?x=1", "ftp://x", "https://a\"b")) {
            Run run = run(Map.of(), "--server-url", url);

            assertNotEquals(0, run.exit(), url);
            assertTrue(run.stderr().contains("--server-url must be an https URL"), run.stderr());
        }
        assertTrue(calls().isEmpty(), "refused before az is called");
    }

    @Test
    void reRunReusesTheRegistrationsAndTheirScopeAndAddsNothingTwice() throws Exception {
        Run first = run(Map.of(), "--with-teams");
        assertEquals(0, first.exit(), first.stderr());
        List<String> permissionsAfterFirst = lines("permissions");
        String scopeAfterFirst = scopeOf(first.variables().get("AAD_CLIENT_ID"));

        Run second = run(Map.of(), "--with-teams");

        assertEquals(0, second.exit(), "a re-run must not stop on its own SPA registration\n" + second.stderr());
        assertEquals(first.variables().get("AAD_CLIENT_ID"), second.variables().get("AAD_CLIENT_ID"));
        assertEquals(first.variables().get("ACS_TEAMS_APP_ID"), second.variables().get("ACS_TEAMS_APP_ID"));
        assertEquals(2, apps().size(), "no third registration");
        assertEquals(1, calls().stream().filter(c -> c.startsWith("ad app create --display-name acs-auth-server ")).count());
        assertEquals(scopeAfterFirst, scopeOf(second.variables().get("AAD_CLIENT_ID")), "the access_as_user scope id is kept");
        assertEquals(permissionsAfterFirst, lines("permissions"), "az ad app permission add would list them twice");
        assertEquals(3, grants().size());
        assertEquals("stub-secret-2", second.variables().get("AAD_CLIENT_SECRET"), "one more secret per run");
    }

    @Test
    void registrationsWhoseNamesOnlyStartTheSameAreLeftAlone() throws Exception {
        addApp("acs-auth-server-legacy", "0000dead-0000-4000-a000-00000000dead");
        addApp("acs-auth-server-spa-old", "0000beef-0000-4000-a000-00000000beef");

        Run first = run(Map.of());
        assertEquals(0, first.exit(), first.stderr());
        Run second = run(Map.of());
        assertEquals(0, second.exit(), second.stderr());

        String api = second.variables().get("AAD_CLIENT_ID");
        String spa = second.variables().get("ACS_TEAMS_APP_ID");
        assertNotEquals("0000dead-0000-4000-a000-00000000dead", api);
        assertNotEquals("0000beef-0000-4000-a000-00000000beef", spa);
        assertEquals(first.variables().get("AAD_CLIENT_ID"), api);
        assertEquals(4, apps().size(), "the neighbours plus our two");
        assertTrue(calls().stream().noneMatch(c -> c.contains("--id 0000dead") || c.contains("--id 0000beef")),
                "nothing touches the neighbours");
    }

    @Test
    void twoRegistrationsWithExactlyTheNameStopTheScriptBeforeItChangesAnything() throws Exception {
        addApp("acs-auth-server", "0000aaaa-0000-4000-a000-00000000aaaa");
        addApp("acs-auth-server", "0000bbbb-0000-4000-a000-00000000bbbb");

        Run run = run(Map.of());

        assertNotEquals(0, run.exit());
        assertTrue(run.stderr().contains("several app registrations are named 'acs-auth-server'"), run.stderr());
        assertEquals("", run.stdout());
        assertTrue(calls().stream().noneMatch(c -> c.startsWith("ad app create") || c.startsWith("rest ")));
    }

    @Test
    void sovereignCloudUsesItsOwnEndpointsAndGrantsConsentWithoutAdminConsent() throws Exception {
        // az ad app permission admin-consent answers "not yet supported on sovereign clouds" here (as az does).
        Run run = run(Map.of("AZ_STUB_CLOUD", "AzureUSGovernment"), "--with-teams");

        assertEquals(0, run.exit(), run.stderr());
        Map<String, String> env = run.variables();
        assertEquals("https://login.microsoftonline.us/", env.get("AAD_INSTANCE"));
        assertEquals("https://graph.microsoft.us/v1.0", env.get("GRAPH_BASE_URL"));
        assertEquals("https://graph.microsoft.us/.default", env.get("GRAPH_SCOPES"));
        assertTrue(run.stdout().contains("authority   = https://login.microsoftonline.us/" + env.get("AAD_TENANT_ID")));
        assertEquals(3, grants().size());
        List<String> rest = calls().stream().filter(c -> c.startsWith("rest ")).toList();
        assertFalse(rest.isEmpty());
        assertTrue(rest.stream().allMatch(c -> c.contains("--uri https://graph.microsoft.us/v1.0/applications/")), rest.toString());
    }

    @Test
    void withoutTheRoleToConsentTheConfigurationIsStillPrintedAndTheFixIsSpelledOut() throws Exception {
        Run run = run(Map.of("AZ_STUB_GRANT", "deny"));

        assertEquals(4, run.exit(), run.stderr());
        String api = run.variables().get("AAD_CLIENT_ID");
        String spa = run.variables().get("ACS_TEAMS_APP_ID");
        assertTrue(run.variables().containsKey("AAD_CLIENT_SECRET"), "the new secret must not be lost");
        assertTrue(run.stderr().contains("Cloud Application Administrator or Application Administrator"), run.stderr());
        assertTrue(run.stderr().contains("az ad app permission grant --id " + api + " --api " + GRAPH + " --scope User.Read User.ReadWrite"));
        assertTrue(run.stderr().contains("az ad app permission grant --id " + spa + " --api " + api + " --scope access_as_user"));
        assertEquals(6, calls().stream().filter(c -> c.startsWith("ad app permission grant")).count(),
                "six attempts for the first grant, none for the rest once the role is known to be missing");
    }

    @Test
    void skipAdminConsentGrantsNothingAndPrintsTheCommands() throws Exception {
        Run run = run(Map.of(), "--skip-admin-consent");

        assertEquals(0, run.exit(), run.stderr());
        assertTrue(grants().isEmpty());
        assertTrue(calls().stream().noneMatch(c -> c.startsWith("ad app permission grant")));
        assertTrue(run.stderr().contains("az ad app permission grant --id " + run.variables().get("AAD_CLIENT_ID")), run.stderr());
    }

    @Test
    void singleRegistrationConsentsToItsOwnScope() throws Exception {
        Run run = run(Map.of(), "--single-registration", "--with-teams", "--graph-write-permission", "User.ReadWrite.All");

        assertEquals(0, run.exit(), run.stderr());
        String api = run.variables().get("AAD_CLIENT_ID");
        assertFalse(run.variables().containsKey("ACS_TEAMS_APP_ID"), "the server's default (its own client id) is right");
        assertEquals(List.of(api + "\tacs-auth-server"), apps());
        assertEquals(List.of(
                api + "\t" + GRAPH + "\tUser.Read User.ReadWrite.All",
                api + "\t" + api + "\taccess_as_user",
                api + "\t" + ACS + "\tTeams.ManageCalls Teams.ManageChats"), grants());
    }

    @Test
    void federatedManagedIdentityTakesThePlaceOfTheSecret() throws Exception {
        addIdentity(IDENTITY, IDENTITY_CLIENT, USER_ASSIGNED);

        Run run = run(Map.of(), "--federated-managed-identity", IDENTITY.toUpperCase(Locale.ROOT));

        assertEquals(0, run.exit(), run.stderr());
        Map<String, String> env = run.variables();
        String api = env.get("AAD_CLIENT_ID");
        assertFalse(env.containsKey("AAD_CLIENT_SECRET"), run.stdout());
        assertFalse(run.stdout().contains("is a secret"), run.stdout());
        assertTrue(calls().stream().noneMatch(c -> c.startsWith("ad app credential reset")), "no secret is created");
        assertEquals("managed-identity", env.get("AAD_CLIENT_ASSERTION"));
        assertEquals(IDENTITY_CLIENT, env.get("MANAGED_IDENTITY_CLIENT_ID"));
        assertFalse(env.containsKey("AAD_CLIENT_ASSERTION_AUDIENCE"), "public cloud: the server's default audience applies");
        assertTrue(run.stdout().contains("# Still to set: ACS_ENDPOINT="), run.stdout());
        assertEquals(List.of(String.join("\t", api, "managed-identity-" + IDENTITY,
                "https://login.microsoftonline.com/" + TENANT + "/v2.0", IDENTITY, "api://AzureADTokenExchange")),
                lines("fics"), "subject in lower case, as tokens carry it");
        assertEquals(2, grants().size(), "consent as without the option");
        assertFalse(run.stderr().contains("system-assigned"), run.stderr());
    }

    @Test
    void reRunKeepsTheOneFederatedCredential() throws Exception {
        addIdentity(IDENTITY, IDENTITY_CLIENT, USER_ASSIGNED);
        Run first = run(Map.of(), "--federated-managed-identity", IDENTITY);
        assertEquals(0, first.exit(), first.stderr());
        List<String> afterFirst = lines("fics");

        Run second = run(Map.of(), "--federated-managed-identity", IDENTITY);

        assertEquals(0, second.exit(), second.stderr());
        assertEquals(first.variables().get("AAD_CLIENT_ID"), second.variables().get("AAD_CLIENT_ID"));
        assertEquals(afterFirst, lines("fics"));
        assertEquals(1, calls().stream().filter(c -> c.startsWith("ad app federated-credential create")).count());
        assertTrue(calls().stream().noneMatch(c -> c.startsWith("ad app federated-credential update")));
        assertTrue(second.stderr().contains("reusing the federated credential managed-identity-" + IDENTITY), second.stderr());
    }

    @ParameterizedTest
    @CsvSource({
        "AzureUSGovernment, https://login.microsoftonline.us/, api://AzureADTokenExchangeUSGov",
        "AzureChinaCloud, https://login.partner.microsoftonline.cn/, api://AzureADTokenExchangeChina"})
    void sovereignCloudsTrustTheirOwnIssuerAndAudience(String cloud, String issuerHost, String audience) throws Exception {
        addIdentity(IDENTITY, IDENTITY_CLIENT, USER_ASSIGNED);

        Run run = run(Map.of("AZ_STUB_CLOUD", cloud), "--federated-managed-identity", IDENTITY);

        assertEquals(0, run.exit(), run.stderr());
        String api = run.variables().get("AAD_CLIENT_ID");
        assertEquals(audience, run.variables().get("AAD_CLIENT_ASSERTION_AUDIENCE"), "the server defaults to the public cloud's");
        assertEquals(List.of(String.join("\t", api, "managed-identity-" + IDENTITY, issuerHost + TENANT + "/v2.0", IDENTITY,
                audience)), lines("fics"));
    }

    @Test
    void aFederatedCredentialMadeForAnotherCloudIsCorrectedInPlace() throws Exception {
        addIdentity(IDENTITY, IDENTITY_CLIENT, USER_ASSIGNED);
        assertEquals(0, run(Map.of(), "--federated-managed-identity", IDENTITY).exit());

        Run run = run(Map.of("AZ_STUB_CLOUD", "AzureUSGovernment"), "--federated-managed-identity", IDENTITY);

        assertEquals(0, run.exit(), run.stderr());
        assertEquals(1, calls().stream().filter(c -> c.startsWith("ad app federated-credential update")).count());
        assertEquals(List.of(String.join("\t", run.variables().get("AAD_CLIENT_ID"), "managed-identity-" + IDENTITY,
                "https://login.microsoftonline.us/" + TENANT + "/v2.0", IDENTITY, "api://AzureADTokenExchangeUSGov")),
                lines("fics"));
    }

    @Test
    void anUnknownPrincipalStopsTheScriptBeforeItChangesAnything() throws Exception {
        Run run = run(Map.of(), "--federated-managed-identity", IDENTITY);

        assertNotEquals(0, run.exit());
        assertTrue(run.stderr().contains("no service principal " + IDENTITY), run.stderr());
        assertEquals("", run.stdout());
        assertTrue(calls().stream().noneMatch(c -> c.startsWith("ad app create") || c.startsWith("rest ")));
    }

    @Test
    void aSystemAssignedIdentityIsWarnedAbout() throws Exception {
        addIdentity(IDENTITY, IDENTITY_CLIENT, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/acs-auth-server");

        Run run = run(Map.of(), "--federated-managed-identity", IDENTITY);

        assertEquals(0, run.exit(), run.stderr());
        assertTrue(run.stderr().contains("looks system-assigned"), run.stderr());
    }

    @Test
    void noSecretCreatesNoCredentialAtAll() throws Exception {
        Run run = run(Map.of(), "--no-secret");

        assertEquals(0, run.exit(), run.stderr());
        assertFalse(run.variables().containsKey("AAD_CLIENT_SECRET"));
        assertFalse(run.variables().containsKey("AAD_CLIENT_ASSERTION"));
        assertTrue(calls().stream().noneMatch(c -> c.startsWith("ad app credential reset")
                || c.startsWith("ad app federated-credential")));
        assertTrue(run.stdout().contains("MAPPING_STORE=database needs none"), run.stdout());
    }

    @Test
    void secretYearsWithoutASecretIsRefused() throws Exception {
        Run run = run(Map.of(), "--no-secret", "--secret-years", "2");

        assertNotEquals(0, run.exit());
        assertTrue(calls().isEmpty(), "refused before az is called");
    }

    // --- Running the script ---------------------------------------------------------------------------------------

    record Run(int exit, String stdout, String stderr) {

        /** The KEY=value lines of the output, as an --env-file would read them. */
        Map<String, String> variables() {
            Map<String, String> variables = new LinkedHashMap<>();
            stdout.lines().filter(line -> line.matches("[A-Z_]+=.*")).forEach(line -> {
                int eq = line.indexOf('=');
                variables.put(line.substring(0, eq), line.substring(eq + 1));
            });
            return variables;
        }
    }

    private Run run(Map<String, String> stubSettings, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        Map<String, String> env = builder.environment();
        env.put("PATH", bin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("AZ_STUB_STATE", tenant.toString());
        env.putAll(stubSettings);
        Process process = builder.start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the script did not finish:\n" + stderr.getNow(""));
        }
        return new Run(process.exitValue(), stdout.get(), stderr.get());
    }

    // --- The stand-in tenant ----------------------------------------------------------------------------------------

    private void addApp(String displayName, String appId) throws IOException {
        String objectId = appId.replace("-a000-", "-b000-");
        Files.writeString(tenant.resolve("apps"), displayName + "\t" + appId + "\t" + objectId + "\n", UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** A managed identity: its principal (object) id, client id and the resource id its alternative names carry. */
    private void addIdentity(String principalId, String clientId, String resourceId) throws IOException {
        Files.writeString(tenant.resolve("identities"), principalId + "\t" + clientId + "\t" + resourceId + "\n", UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** appId and display name of every registration, in creation order. */
    private List<String> apps() throws IOException {
        return lines("apps").stream().map(line -> line.split("\t")).map(f -> f[1] + "\t" + f[0]).toList();
    }

    /** client appId, resource appId and scopes of every tenant-wide delegated permission grant. */
    private List<String> grants() throws IOException {
        return lines("grants");
    }

    private List<String> calls() throws IOException {
        return lines("calls");
    }

    private String objectIdOf(String appId) throws IOException {
        return lines("apps").stream().map(line -> line.split("\t")).filter(f -> f[1].equals(appId)).map(f -> f[2])
                .findFirst().orElseThrow();
    }

    private String scopeOf(String appId) throws IOException {
        String objectId = lines("apps").stream().map(line -> line.split("\t"))
                .filter(f -> f[1].equals(appId)).map(f -> f[2]).findFirst().orElseThrow();
        return Files.readString(tenant.resolve("scope." + objectId), UTF_8).trim();
    }

    private List<String> lines(String file) throws IOException {
        Path path = tenant.resolve(file);
        return Files.exists(path) ? Files.readAllLines(path, UTF_8) : List.of();
    }

    private static void executable(Path path, String content) throws IOException {
        Files.writeString(path, content, UTF_8);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
