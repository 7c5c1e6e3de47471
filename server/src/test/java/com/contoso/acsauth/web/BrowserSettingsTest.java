package com.contoso.acsauth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.config.SettingsReader;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.StringReader;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BrowserSettingsTest {

    static final URI PUBLIC_CLOUD = URI.create("https://login.microsoftonline.com/");
    static final String TENANT = "8b4a1c6e-2f3d-4e5a-9b7c-0d1e2f3a4b5c";
    static final String API = "5e1c7a2b-9d4f-4c3e-8a6b-1f2e3d4c5b6a";
    static final String SPA = "c0ffee00-1a2b-4c3d-8e9f-0a1b2c3d4e5f";

    record Read(BrowserSettings settings, List<String> problems) {
    }

    static Read read(Map<String, String> values, URI instance, String tenantId, String teamsAppId) {
        SettingsReader reader = new SettingsReader(property -> Optional.ofNullable(values.get(property)));
        BrowserSettings settings = BrowserSettings.read(reader, instance, tenantId, API, teamsAppId);
        return new Read(settings, reader.problems());
    }

    static Read read(Map<String, String> values) {
        return read(values, PUBLIC_CLOUD, TENANT, API);
    }

    @Test
    void offByDefaultSigningInAsTheTeamsAppForThisApisScope() {
        Read read = read(Map.of());

        assertEquals(List.of(), read.problems());
        assertFalse(read.settings().tryPageEnabled());
        assertTrue(read.settings().signInAvailable());
        assertEquals(API, read.settings().clientId(), "ACS_TEAMS_APP_ID, itself AAD_CLIENT_ID by default");
        assertEquals("api://" + API + "/access_as_user", read.settings().apiScope());
        assertEquals("https://login.microsoftonline.com/" + TENANT, read.settings().authority());
        assertEquals("https://login.microsoftonline.com/" + TENANT + "/oauth2/v2.0/authorize", read.settings().authorizationUrl());
        assertEquals("https://login.microsoftonline.com/" + TENANT + "/oauth2/v2.0/token", read.settings().tokenUrl());
    }

    @Test
    void theClientIdFollowsTheTeamsAppIdSoTheTeamsExchangeKeepsWorking() {
        assertEquals(SPA, read(Map.of(), PUBLIC_CLOUD, TENANT, SPA).settings().clientId());
    }

    @Test
    void givenValuesWin() {
        Read read = read(Map.of("try.page.enabled", "true", "browser.client-id", SPA,
                "browser.api-scope", "api://contoso.example/acs-auth/access_as_user"));

        assertEquals(List.of(), read.problems());
        assertTrue(read.settings().tryPageEnabled());
        assertEquals(SPA, read.settings().clientId());
        assertEquals("api://contoso.example/acs-auth/access_as_user", read.settings().apiScope());
    }

    @Test
    void thePageWithoutAnEntraWorkforceTenantFailsTheDeploymentSayingWhy() {
        Read read = read(Map.of("try.page.enabled", "true"), PUBLIC_CLOUD, "", "");

        assertEquals(1, read.problems().size(), read.problems()::toString);
        assertTrue(read.problems().get(0).startsWith("TRY_PAGE_ENABLED (try.page.enabled) needs an Entra ID workforce tenant "
                + "(AAD_TENANT_ID and AAD_CLIENT_ID)"), read.problems()::toString);
        assertFalse(read.settings().signInAvailable());
    }

    @Test
    void withoutAnEntraWorkforceTenantAndThePageOffThereIsSimplyNoSignIn() {
        Read read = read(Map.of(), PUBLIC_CLOUD, "", "");

        assertEquals(List.of(), read.problems());
        assertFalse(read.settings().tryPageEnabled());
        assertFalse(read.settings().signInAvailable());
    }

    @Test
    void badValuesNameTheirVariable() {
        List<String> problems = read(Map.of("try.page.enabled", "yes", "browser.client-id", "my-spa",
                "browser.api-scope", "api://x/access_as_user openid")).problems();

        assertEquals(3, problems.size(), problems::toString);
        assertTrue(problems.get(0).startsWith("TRY_PAGE_ENABLED (try.page.enabled) must be true or false"), problems::toString);
        assertTrue(problems.get(1).startsWith("BROWSER_CLIENT_ID (browser.client-id) must be the application (client) id"),
                problems::toString);
        assertTrue(problems.get(2).startsWith("BROWSER_API_SCOPE (browser.api-scope) must be one scope"), problems::toString);
    }

    @Test
    void aDefaultClientIdIsCheckedOnlyWhenThePageUsesIt() {
        assertEquals(List.of(), read(Map.of(), PUBLIC_CLOUD, TENANT, "not-a-guid").problems());

        List<String> problems = read(Map.of("try.page.enabled", "true"), PUBLIC_CLOUD, TENANT, "not-a-guid").problems();
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("ACS_TEAMS_APP_ID's, or AAD_CLIENT_ID's, by default"), problems::toString);
    }

    @Test
    void configJsonNamesTheAuthorityItsHostAndPortTheScopesAndTheApi() throws Exception {
        BrowserSettings settings = read(Map.of("try.page.enabled", "true", "browser.client-id", SPA),
                URI.create("https://127.0.0.1:9443/"), TENANT, API).settings();

        String json;
        try (Jsonb jsonb = JsonbBuilder.create()) {
            json = jsonb.toJson(settings.tryPageConfig("/acs"));
        }

        JsonObject config = Json.createReader(new StringReader(json)).readObject();
        assertEquals(List.of("clientId", "authority", "knownAuthorities", "apiScopes", "teamsScopes", "apiBase"),
                List.copyOf(config.keySet()), json);
        assertEquals(SPA, config.getString("clientId"));
        assertEquals("https://127.0.0.1:9443/" + TENANT, config.getString("authority"));
        assertEquals(List.of("127.0.0.1:9443"), strings(config, "knownAuthorities"));
        assertEquals(List.of("api://" + API + "/access_as_user"), strings(config, "apiScopes"));
        assertEquals(List.of("https://auth.msft.communication.azure.com/Teams.ManageCalls",
                "https://auth.msft.communication.azure.com/Teams.ManageChats"), strings(config, "teamsScopes"));
        assertEquals("/acs/api", config.getString("apiBase"));
        assertEquals("/api", settings.tryPageConfig("").apiBase(), "the root context");
        assertEquals(List.of("login.microsoftonline.com"), read(Map.of()).settings().tryPageConfig("").knownAuthorities(),
                "no port on the default one");
    }

    private static List<String> strings(JsonObject object, String name) {
        return object.getJsonArray(name).getValuesAs(jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).toList();
    }
}
