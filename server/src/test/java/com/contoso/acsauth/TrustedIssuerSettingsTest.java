package com.contoso.acsauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.mapping.MappingSettings;
import com.contoso.acsauth.security.TrustedIssuer;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which issuers a configuration trusts, with what rules, and which configurations fail the deployment. */
class TrustedIssuerSettingsTest {

    static final String HOME = "11111111-1111-1111-1111-111111111111";
    static final String PARTNER = "33333333-3333-3333-3333-333333333333";
    static final String CLIENT = "22222222-2222-2222-2222-222222222222";

    @Test
    void byDefaultOnlyTheConfiguredTenantIsTrustedWithTodaysRules() {
        Settings settings = Settings.read(SettingsTest.config(SettingsTest.VALID));

        assertTrue(settings.valid(), settings.problems()::toString);
        List<TrustedIssuer> issuers = settings.issuers().issuers();
        assertEquals(1, issuers.size());
        TrustedIssuer entra = issuers.get(0);
        assertEquals("https://login.microsoftonline.com/" + HOME + "/v2.0", entra.issuer());
        assertEquals(Optional.of(URI.create("https://login.microsoftonline.com/" + HOME + "/discovery/v2.0/keys")), entra.keysUrl());
        assertEquals(Set.of(CLIENT, "api://" + CLIENT), entra.audiences());
        assertEquals(List.of("access_as_user", "scp", "oid"), List.of(entra.scope(), entra.scopeClaim(), entra.userClaim()));
        assertEquals(HOME, entra.issuerId(), "workforce mappings keep their key: tenant id and oid");
        assertTrue(entra.entraWorkforce());
    }

    @Test
    void allowedTenantsAddOneIssuerPerTenantWithItsOwnKeys() {
        Map<String, String> values = database(SettingsTest.VALID);
        values.put("aad.allowed-tenants", PARTNER.toUpperCase() + ", " + HOME);

        Settings settings = Settings.read(SettingsTest.config(values));

        assertTrue(settings.valid(), settings.problems()::toString);
        assertEquals(List.of("https://login.microsoftonline.com/" + HOME + "/v2.0", "https://login.microsoftonline.com/" + PARTNER + "/v2.0"),
                settings.issuers().issuers().stream().map(TrustedIssuer::issuer).toList(), "the home tenant once, the partner lower-cased");
        TrustedIssuer partner = settings.issuers().issuers().get(1);
        assertEquals(Optional.of(URI.create("https://login.microsoftonline.com/" + PARTNER + "/discovery/v2.0/keys")), partner.keysUrl());
        assertEquals(PARTNER, partner.issuerId());
    }

    @Test
    void anAllowListThatWouldAdmitAnyTenantIsRefused() {
        for (String wildcard : List.of("common", "organizations", "consumers", "*", "contoso.onmicrosoft.com")) {
            Map<String, String> values = database(SettingsTest.VALID);
            values.put("aad.allowed-tenants", wildcard);

            Settings settings = Settings.read(SettingsTest.config(values));

            assertFalse(settings.valid(), wildcard);
            assertTrue(String.join("\n", settings.problems()).contains("AAD_ALLOWED_TENANTS (aad.allowed-tenants) must list tenant ids (GUIDs) only, was '" + wildcard + "'"),
                    settings.problems()::toString);
        }
    }

    @Test
    void theGraphStoreCannotServeOtherTenantsBecauseOnBehalfOfActsInTheConfiguredTenant() {
        Map<String, String> values = new HashMap<>(SettingsTest.VALID);
        values.put("aad.allowed-tenants", PARTNER);

        Settings settings = Settings.read(SettingsTest.config(values));

        assertFalse(settings.valid());
        assertTrue(String.join("\n", settings.problems()).contains("AAD_ALLOWED_TENANTS (aad.allowed-tenants) needs MAPPING_STORE=database"),
                settings.problems()::toString);
    }

    @Test
    void eachKindOfIssuerHasItsDocumentedDefaults() {
        Map<String, String> values = new HashMap<>(SettingsTest.VALID);
        values.put("trusted-issuers", "customers, partners-b2c, keycloak");
        values.put("issuer.customers.type", "external-id");
        values.put("issuer.customers.tenant-id", PARTNER);
        values.put("issuer.customers.audience", "aaaa");
        values.put("issuer.partners-b2c.type", "b2c");
        values.put("issuer.partners-b2c.issuer", "https://contosob2c.b2clogin.com/" + PARTNER + "/v2.0/");
        values.put("issuer.partners-b2c.discovery-url", "https://contosob2c.b2clogin.com/contosob2c.onmicrosoft.com/b2c_1_susi/v2.0/.well-known/openid-configuration");
        values.put("issuer.partners-b2c.audience", "bbbb");
        values.put("issuer.keycloak.type", "oidc");
        values.put("issuer.keycloak.issuer", "https://idp.example/realms/acs");
        values.put("issuer.keycloak.audience", "acs-auth-server");
        values.put("issuer.keycloak.scope", "acs");

        Settings settings = Settings.read(SettingsTest.config(values));

        assertTrue(settings.valid(), settings.problems()::toString);
        TrustedIssuer externalId = settings.issuers().named("customers").orElseThrow();
        assertEquals("https://" + PARTNER + ".ciamlogin.com/" + PARTNER + "/v2.0", externalId.issuer());
        assertEquals(Optional.of(URI.create("https://" + PARTNER + ".ciamlogin.com/" + PARTNER + "/v2.0/.well-known/openid-configuration")),
                externalId.discoveryUrl());
        assertEquals(Set.of("aaaa", "api://aaaa"), externalId.audiences());
        assertEquals(List.of("access_as_user", "scp", "oid", PARTNER), List.of(externalId.scope(), externalId.scopeClaim(), externalId.userClaim(), externalId.issuerId()));

        TrustedIssuer b2c = settings.issuers().named("partners-b2c").orElseThrow();
        assertEquals(Set.of("bbbb"), b2c.audiences());
        assertEquals(List.of("scp", "sub", "https://contosob2c.b2clogin.com/" + PARTNER + "/v2.0/"), List.of(b2c.scopeClaim(), b2c.userClaim(), b2c.issuerId()));

        TrustedIssuer keycloak = settings.issuers().named("keycloak").orElseThrow();
        assertEquals(Optional.of(URI.create("https://idp.example/realms/acs/.well-known/openid-configuration")), keycloak.discoveryUrl());
        assertEquals(List.of("acs", "scope", "sub"), List.of(keycloak.scope(), keycloak.scopeClaim(), keycloak.userClaim()));
        assertFalse(keycloak.entraWorkforce());

        // the Graph store stays with the workforce tenant; the others are in the database
        assertEquals(MappingSettings.Store.GRAPH, settings.mapping().storeFor(TrustedIssuer.ENTRA));
        assertEquals(MappingSettings.Store.DATABASE, settings.mapping().storeFor("keycloak"));
        assertTrue(settings.mapping().usesGraph() && settings.mapping().usesDatabase());
    }

    @Test
    void misconfiguredIssuersAreNamedByTheirEnvironmentVariables() {
        Map<String, String> values = new HashMap<>(SettingsTest.VALID);
        values.put("trusted-issuers", "entra, Bad_Name, kc, b2c, nothing");
        values.put("issuer.kc.type", "oidc");
        values.put("issuer.kc.issuer", "http://idp.example/realms/acs");
        values.put("issuer.kc.scope-claim", "roles");
        values.put("issuer.kc.store", "graph");
        values.put("issuer.b2c.type", "b2c");
        values.put("issuer.nothing.type", "saml");

        String problems = String.join("\n", Settings.read(SettingsTest.config(values)).problems());

        for (String expected : List.of(
                "TRUSTED_ISSUERS (trusted-issuers) names must be lower-case letters, digits and '-' (not 'entra', which is the AAD_TENANT_ID issuer), was 'entra'",
                "was 'Bad_Name'",
                "ISSUER_KC_ISSUER (issuer.kc.issuer) must be an absolute https URL",
                "ISSUER_KC_AUDIENCE (issuer.kc.audience) is required",
                "ISSUER_KC_SCOPE_CLAIM (issuer.kc.scope-claim) must be scp or scope, was 'roles'",
                "ISSUER_KC_STORE (issuer.kc.store) cannot be graph",
                "ISSUER_B2C_ISSUER (issuer.b2c.issuer) is required",
                "ISSUER_B2C_DISCOVERY_URL (issuer.b2c.discovery-url) is required",
                "ISSUER_NOTHING_TYPE (issuer.nothing.type) must be external-id, b2c or oidc, was 'saml'")) {
            assertTrue(problems.contains(expected), expected + "\nmissing from:\n" + problems);
        }
    }

    @Test
    void theSameIssuerCannotBeTrustedTwice() {
        Map<String, String> values = new HashMap<>(SettingsTest.VALID);
        values.put("trusted-issuers", "a,b");
        for (String name : List.of("a", "b")) {
            values.put("issuer." + name + ".type", "oidc");
            values.put("issuer." + name + ".issuer", "https://idp.example/realms/acs");
            values.put("issuer." + name + ".audience", "x");
        }

        Settings settings = Settings.read(SettingsTest.config(values));

        assertTrue(String.join("\n", settings.problems()).contains("trusts the issuer https://idp.example/realms/acs twice"),
                settings.problems()::toString);
    }

    @Test
    void withoutAnEntraTenantOnlyTheOtherIssuersSignInAndTheDatabaseIsTheStore() {
        Map<String, String> values = new HashMap<>(Map.of(
                "acs.connection-string", SettingsTest.VALID.get("acs.connection-string"),
                "trusted-issuers", "keycloak",
                "issuer.keycloak.type", "oidc",
                "issuer.keycloak.issuer", "https://idp.example/realms/acs",
                "issuer.keycloak.audience", "acs-auth-server"));

        Settings settings = Settings.read(SettingsTest.config(values));

        assertTrue(settings.valid(), settings.problems()::toString);
        assertFalse(settings.entra().configured());
        assertEquals(List.of("keycloak"), settings.issuers().issuers().stream().map(TrustedIssuer::name).toList());
        assertEquals(MappingSettings.Store.DATABASE, settings.mapping().store(), "no client secret, no signing keys needed");
    }

    @Test
    void withoutAnEntraTenantTheGraphStoreAndAllowedTenantsAreRefused() {
        Map<String, String> values = new HashMap<>(Map.of(
                "acs.connection-string", SettingsTest.VALID.get("acs.connection-string"),
                "mapping.store", "graph",
                "aad.allowed-tenants", PARTNER,
                "trusted-issuers", "keycloak",
                "issuer.keycloak.type", "oidc",
                "issuer.keycloak.issuer", "https://idp.example/realms/acs",
                "issuer.keycloak.audience", "acs-auth-server"));

        String problems = String.join("\n", Settings.read(SettingsTest.config(values)).problems());

        assertTrue(problems.contains("MAPPING_STORE (mapping.store) cannot be graph without an Entra workforce tenant"), problems);
        assertTrue(problems.contains("AAD_ALLOWED_TENANTS (aad.allowed-tenants) needs AAD_TENANT_ID and AAD_CLIENT_ID"), problems);
    }

    private static Map<String, String> database(Map<String, String> values) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put("mapping.store", "database");
        return copy;
    }
}
