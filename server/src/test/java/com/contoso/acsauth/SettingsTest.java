package com.contoso.acsauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.acs.AcsSettings;
import com.contoso.acsauth.config.SettingsReader;
import com.contoso.acsauth.mapping.MappingSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;
import org.junit.jupiter.api.Test;

class SettingsTest {

    static final Map<String, String> VALID = Map.of(
            "aad.instance", "https://login.microsoftonline.com/",
            "aad.tenant-id", "11111111-1111-1111-1111-111111111111",
            "aad.client-id", "22222222-2222-2222-2222-222222222222",
            "aad.client-secret", "s3cret-value",
            "acs.connection-string", "endpoint=https://contoso.communication.azure.com/;accesskey=c2VjcmV0LWtleQ==",
            "mapping.signing-keys", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");

    @Test
    void validConfigurationHasDefaultsForEverythingOptional() {
        Settings settings = Settings.read(config(VALID));

        assertTrue(settings.valid(), settings.problems()::toString);
        assertEquals("https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/v2.0", settings.entra().issuer());
        assertEquals(List.of("voip", "chat"), settings.acs().tokenScopes());
        assertEquals("22222222-2222-2222-2222-222222222222", settings.acs().teamsAppId(), "Teams appId defaults to AAD_CLIENT_ID");
        assertEquals("com.contoso.identityMapping", settings.graph().extensionName());
        assertTrue(settings.cors().anyOrigin());
    }

    @Test
    void everyMissingRequiredSettingIsNamedByItsEnvironmentVariable() {
        Settings settings = Settings.read(config(Map.of()));

        String problems = String.join("\n", settings.problems());
        assertFalse(settings.valid());
        for (String variable : List.of("AAD_TENANT_ID", "AAD_CLIENT_ID", "AAD_CLIENT_SECRET", "ACS_CONNECTION_STRING")) {
            assertTrue(problems.contains(variable), variable + " missing from: " + problems);
        }
    }

    @Test
    void invalidValuesAreReportedWithoutEchoingSecrets() {
        Map<String, String> values = new HashMap<>(VALID);
        values.put("acs.connection-string", "endpoint=http://plain.example/;accesskey=not*base64");
        values.put("acs.token-expires-in-minutes", "30");
        values.put("acs.token-scopes", "voip,teleport");
        values.put("graph.base-url", "ftp://graph");

        String problems = String.join("\n", Settings.read(config(values)).problems());

        assertTrue(problems.contains("ACS_TOKEN_EXPIRES_IN_MINUTES"), problems);
        assertTrue(problems.contains("between 60 and 1440"), problems);
        assertTrue(problems.contains("teleport"), problems);
        assertTrue(problems.contains("GRAPH_BASE_URL"), problems);
        assertTrue(problems.contains("https"), problems);
        assertTrue(problems.contains("not valid Base64"), problems);
        assertFalse(problems.contains("not*base64"), "the access key must never be echoed");
    }

    @Test
    void theGraphStoreIsTheDefaultAndNeedsSigningKeysOfAtLeast32Bytes() {
        Map<String, String> values = new HashMap<>(VALID);
        values.remove("mapping.signing-keys");
        String missing = String.join("\n", Settings.read(config(values)).problems());
        values.put("mapping.signing-keys", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,c2hvcnQta2V5,not*base64");
        String invalid = String.join("\n", Settings.read(config(values)).problems());

        assertEquals(MappingSettings.Store.GRAPH, Settings.read(config(VALID)).mapping().store());
        assertEquals(1, Settings.read(config(VALID)).mapping().signingKeys().size());
        assertTrue(missing.contains("MAPPING_SIGNING_KEYS") && missing.contains("required"), missing);
        assertTrue(invalid.contains("number 2") && invalid.contains("at least 32"), invalid);
        assertTrue(invalid.contains("number 3") && invalid.contains("not valid Base64"), invalid);
        assertFalse(invalid.contains("c2hvcnQta2V5") || invalid.contains("not*base64"), "keys are never echoed");
    }

    @Test
    void theDatabaseStoreNeedsNeitherSigningKeysNorAClientSecret() {
        Map<String, String> values = new HashMap<>(VALID);
        values.remove("mapping.signing-keys");
        values.remove("aad.client-secret");
        values.put("mapping.store", "database");

        Settings settings = Settings.read(config(values));

        assertTrue(settings.valid(), settings.problems()::toString);
        assertEquals(MappingSettings.Store.DATABASE, settings.mapping().store());
        assertEquals("java:comp/DefaultDataSource", settings.mapping().dataSource());
        assertFalse(settings.mapping().acceptUnsigned());
    }

    @Test
    void anUnknownStoreOrSwitchValueIsNamed() {
        Map<String, String> values = new HashMap<>(VALID);
        values.put("mapping.store", "redis");
        values.put("mapping.accept-unsigned", "yes");

        String problems = String.join("\n", Settings.read(config(values)).problems());

        assertTrue(problems.contains("MAPPING_STORE") && problems.contains("graph or database"), problems);
        assertTrue(problems.contains("MAPPING_ACCEPT_UNSIGNED"), problems);
    }

    @Test
    void onBehalfOfTakesExactlyOneCredentialKind() {
        Map<String, String> two = new HashMap<>(VALID);
        two.put("aad.client-assertion", "managed-identity");
        Map<String, String> none = new HashMap<>(VALID);
        none.remove("aad.client-secret");
        Map<String, String> federated = new HashMap<>(none);
        federated.put("aad.client-assertion", "managed-identity");
        federated.put("managed-identity.client-id", "33333333-3333-3333-3333-333333333333");
        Map<String, String> unknown = new HashMap<>(none);
        unknown.put("aad.client-assertion", "kerberos");
        Map<String, String> systemAssigned = new HashMap<>(none);
        systemAssigned.put("aad.client-assertion", "managed-identity");

        String twoProblems = String.join("\n", Settings.read(config(two)).problems());
        String noneProblems = String.join("\n", Settings.read(config(none)).problems());
        Settings withFederated = Settings.read(config(federated));

        assertTrue(twoProblems.contains("AAD_CLIENT_SECRET") && twoProblems.contains("AAD_CLIENT_ASSERTION")
                && twoProblems.contains("exactly one"), twoProblems);
        assertTrue(noneProblems.contains("AAD_CLIENT_CERTIFICATE_PATH"), noneProblems);
        assertTrue(withFederated.valid(), withFederated.problems()::toString);
        assertEquals(new com.contoso.acsauth.entra.AppCredential.ManagedIdentityAssertion(
                Optional.of("33333333-3333-3333-3333-333333333333"), "api://AzureADTokenExchange"), withFederated.entra().credential());
        assertTrue(String.join("\n", Settings.read(config(unknown)).problems()).contains("kerberos"));
        assertTrue(String.join("\n", Settings.read(config(systemAssigned)).problems()).contains("MANAGED_IDENTITY_CLIENT_ID"),
                "Entra takes only a user-assigned identity as a federated credential");
        assertFalse(Settings.read(config(VALID)).entra().toString().contains("s3cret-value"), "the secret is never printed");
    }

    @Test
    void aMissingOrUnreadableCertificateOrAssertionFileIsNamed() {
        Map<String, String> values = new HashMap<>(VALID);
        values.remove("aad.client-secret");
        values.put("aad.client-certificate-path", "/nonexistent/app.pfx");
        String certificate = String.join("\n", Settings.read(config(values)).problems());
        values.remove("aad.client-certificate-path");
        values.put("aad.client-assertion-file", "/nonexistent/token");
        String assertionFile = String.join("\n", Settings.read(config(values)).problems());

        assertTrue(certificate.contains("AAD_CLIENT_CERTIFICATE_PATH") && certificate.contains("/nonexistent/app.pfx"), certificate);
        assertTrue(assertionFile.contains("AAD_CLIENT_ASSERTION_FILE") && assertionFile.contains("cannot read"), assertionFile);
    }

    @Test
    void acsTakesTheConnectionStringOrTheEndpointWithAnEntraCredential() {
        Map<String, String> endpoint = new HashMap<>(VALID);
        endpoint.remove("acs.connection-string");
        endpoint.put("acs.endpoint", "https://contoso.communication.azure.com/");
        Map<String, String> both = new HashMap<>(VALID);
        both.put("acs.endpoint", "https://contoso.communication.azure.com/");
        Map<String, String> cli = new HashMap<>(endpoint);
        cli.put("acs.credential", "azure-cli");
        Map<String, String> wrong = new HashMap<>(endpoint);
        wrong.put("acs.credential", "password");

        Settings managed = Settings.read(config(endpoint));

        assertTrue(managed.valid(), managed.problems()::toString);
        assertEquals(AcsSettings.Credential.MANAGED_IDENTITY, managed.acs().credential(), "managed identity by default");
        assertEquals("https://contoso.communication.azure.com/", managed.acs().endpoint().toString());
        assertEquals(AcsSettings.Credential.AZURE_CLI, Settings.read(config(cli)).acs().credential());
        assertTrue(String.join("\n", Settings.read(config(both)).problems()).contains("ACS_ENDPOINT"));
        assertTrue(String.join("\n", Settings.read(config(wrong)).problems()).contains("ACS_CREDENTIAL"));
        assertEquals(AcsSettings.Credential.ACCESS_KEY, Settings.read(config(VALID)).acs().credential());
    }

    @Test
    void environmentNamesFollowMicroProfileConfigMapping() {
        assertEquals("ACS_TOKEN_EXPIRES_IN_MINUTES", SettingsReader.environmentName("acs.token-expires-in-minutes"));
        assertEquals("AAD_INSTANCE", SettingsReader.environmentName("aad.instance"));
    }

    @Test
    void theRequestDeadlineDefaultsToFiveSecondsAboveTheDownstreamTimeoutAndIsValidated() {
        Map<String, String> values = new HashMap<>(VALID);
        values.put("downstream.timeout-seconds", "7");
        assertEquals(java.time.Duration.ofSeconds(12), Settings.read(config(values)).downstream().requestDeadline());

        values.put("request.deadline-seconds", "3");
        assertEquals(java.time.Duration.ofSeconds(3), Settings.read(config(values)).downstream().requestDeadline());

        values.put("request.deadline-seconds", "0");
        String problems = String.join("\n", Settings.read(config(values)).problems());
        assertTrue(problems.contains("REQUEST_DEADLINE_SECONDS") && problems.contains("between 1 and 300"), problems);
    }

    static Config config(Map<String, String> values) {
        return new Config() {
            @Override
            public <T> T getValue(String name, Class<T> type) {
                return getOptionalValue(name, type).orElseThrow();
            }

            @Override
            public ConfigValue getConfigValue(String name) {
                throw new UnsupportedOperationException();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> Optional<T> getOptionalValue(String name, Class<T> type) {
                return Optional.ofNullable((T) values.get(name));
            }

            @Override
            public Iterable<String> getPropertyNames() {
                return values.keySet();
            }

            @Override
            public Iterable<ConfigSource> getConfigSources() {
                return List.of();
            }

            @Override
            public <T> Optional<Converter<T>> getConverter(Class<T> forType) {
                return Optional.empty();
            }

            @Override
            public <T> T unwrap(Class<T> type) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
