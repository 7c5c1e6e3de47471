package com.contoso.acsauth;

import com.contoso.acsauth.web.BrowserSettings;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * What the OpenAPI document can only know at runtime ({@code mp.openapi.filter}, run by every server's MicroProfile
 * OpenAPI): the server, as a URL relative to the document, so that Swagger UI and generated clients call the host
 * the document came from (behind a proxy too) rather than the {@code http://localhost:8080/} some servers write; and,
 * with an Entra workforce tenant, the OAuth2 authorization-code sign-in Swagger UI offers beside the bearer scheme.
 * The servers create filters themselves, some before CDI is up, so this one reads the settings as
 * {@link SettingsProducer} does.
 */
public class OpenApiDocumentFilter implements OASFilter {

    static final String SIGN_IN = "entra-id-sign-in";

    /** The document is served at {@code /openapi}: "." is the root it sits in, or a proxy's path prefix before it. */
    static final String SERVER_URL = ".";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        openAPI.setServers(List.of(OASFactory.createServer().url(SERVER_URL)
                .description("This server")));
        BrowserSettings browser = Settings.read(ConfigProvider.getConfig(OpenApiDocumentFilter.class.getClassLoader())).browser();
        if (!browser.signInAvailable()) {
            return;
        }
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSecurityScheme(SIGN_IN, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.OAUTH2)
                .description("Sign in with Entra ID (authorization code with PKCE) as the SPA app registration BROWSER_CLIENT_ID "
                        + "to get a token for " + browser.apiScope() + ". Swagger UI's redirect URI, this server's "
                        + "/openapi-ui/oauth2-redirect.html, must be registered on that app as a SPA redirect URI.")
                .flows(OASFactory.createOAuthFlows().authorizationCode(OASFactory.createOAuthFlow()
                        .authorizationUrl(browser.authorizationUrl())
                        .tokenUrl(browser.tokenUrl())
                        .addScope(browser.apiScope(), "Call the API as the signed-in user"))));
        // either scheme grants access: both send the same kind of token
        openAPI.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(SIGN_IN, browser.apiScope()));
    }
}
