package com.contoso.acsauth.web;

import com.contoso.acsauth.config.SettingsReader;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How the browser pages sign users in with Entra ID: the /try/ page (served only with TRY_PAGE_ENABLED=true) and
 * Swagger UI's OAuth2 sign-in. Both are public clients of the SPA app registration {@code clientId}, asking for
 * {@code apiScope}; the authority is the workforce tenant's.
 *
 * @param tenantId empty when no Entra workforce tenant is configured (the server trusts other issuers only): then
 *                 there is no browser sign-in at all
 */
public record BrowserSettings(boolean tryPageEnabled, URI instance, String tenantId, String clientId, String apiScope) {

    /** The delegated permissions the Teams exchange needs, as a Teams user's token must carry them. */
    public static final List<String> TEAMS_SCOPES = List.of(
            "https://auth.msft.communication.azure.com/Teams.ManageCalls",
            "https://auth.msft.communication.azure.com/Teams.ManageChats");

    private static final Pattern CLIENT_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** One scope: printable ASCII without spaces or anything that needs escaping in a URL, HTML or a script. */
    private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9:/._~-]{1,512}");

    /**
     * @param instance    AAD_INSTANCE, the authority host ({@code https://login.microsoftonline.com/})
     * @param tenantId    AAD_TENANT_ID, empty when no workforce tenant is configured
     * @param apiClientId AAD_CLIENT_ID, this API's app registration
     * @param teamsAppId  ACS_TEAMS_APP_ID: the Teams token's appid must equal it, so the page signs in with it by default
     */
    public static BrowserSettings read(SettingsReader reader, URI instance, String tenantId, String apiClientId, String teamsAppId) {
        boolean enabled = reader.bool("try.page.enabled", false);
        if (tenantId.isEmpty()) {
            if (enabled) {
                reader.problem("try.page.enabled", "needs an Entra ID workforce tenant (AAD_TENANT_ID and AAD_CLIENT_ID): "
                        + "the page signs users in with Entra ID; without it, leave the page off");
            }
            return new BrowserSettings(false, instance, "", "", "");
        }
        // a default is checked only where it is used: a server with the page off must not fail on AAD_CLIENT_ID's form
        boolean clientIdGiven = reader.optional("browser.client-id").isPresent();
        String clientId = reader.withDefault("browser.client-id", teamsAppId);
        if ((enabled || clientIdGiven) && !CLIENT_ID.matcher(clientId).matches()) {
            reader.problem("browser.client-id", "must be the application (client) id of the SPA app registration, a GUID, was '"
                    + clientId + "'" + (clientIdGiven ? "" : " (ACS_TEAMS_APP_ID's, or AAD_CLIENT_ID's, by default)"));
        }
        boolean scopeGiven = reader.optional("browser.api-scope").isPresent();
        String apiScope = reader.withDefault("browser.api-scope", "api://" + apiClientId + "/access_as_user");
        if ((enabled || scopeGiven) && !SCOPE.matcher(apiScope).matches()) {
            reader.problem("browser.api-scope", "must be one scope such as api://<AAD_CLIENT_ID>/access_as_user "
                    + "(letters, digits and :/._~- only), was '" + apiScope + "'");
        }
        return new BrowserSettings(enabled, instance, tenantId, clientId, apiScope);
    }

    /** Whether the browser pages can sign users in: only with an Entra workforce tenant. */
    public boolean signInAvailable() {
        return !tenantId.isEmpty();
    }

    /** {@code AAD_INSTANCE + AAD_TENANT_ID}, MSAL's authority. */
    public String authority() {
        return instance + tenantId;
    }

    public String authorizationUrl() {
        return authority() + "/oauth2/v2.0/authorize";
    }

    public String tokenUrl() {
        return authority() + "/oauth2/v2.0/token";
    }

    /** {@code host[:port]} of the authority: MSAL trusts it without asking Entra's instance discovery. */
    public String authorityHost() {
        return instance.getHost() + (instance.getPort() == -1 ? "" : ":" + instance.getPort());
    }

    /** {@code scheme://host[:port]}, what the page's Content-Security-Policy lets it connect to besides itself. */
    public String authorityOrigin() {
        return instance.getScheme() + "://" + authorityHost();
    }

    /** The body of {@code GET /try/config.json}. */
    public TryPageConfig tryPageConfig(String contextPath) {
        return new TryPageConfig(clientId, authority(), List.of(authorityHost()), List.of(apiScope), TEAMS_SCOPES,
                contextPath + "/api");
    }
}
