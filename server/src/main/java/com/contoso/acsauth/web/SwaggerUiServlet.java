package com.contoso.acsauth.web;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A Swagger UI page over the server's MicroProfile OpenAPI document, switched on with OPENAPI_UI_ENABLED=true
 * (on in the local stack), at /openapi-ui and /openapi-ui/. The UI's scripts come from the swagger-ui webjar in the
 * WAR. With an Entra workforce tenant it signs users in (OAuth2 authorization code with PKCE, the document's
 * {@code entra-id-sign-in} scheme) as the SPA app registration BROWSER_CLIENT_ID, which gets the answer at
 * /openapi-ui/oauth2-redirect.html, the webjar's page served here.
 */
@WebServlet(urlPatterns = {"/openapi-ui", "/openapi-ui/*"})
public class SwaggerUiServlet extends HttpServlet {

    static final String SWAGGER_UI = "/webjars/swagger-ui/5.34.1"; // keep in step with swagger-ui.version in pom.xml
    static final String REDIRECT_PAGE = "/oauth2-redirect.html";

    /** The webjar's files served under /openapi-ui/: the redirect page and the script it loads by a relative URL. */
    private static final Map<String, String> OWN_FILES = Map.of(
            REDIRECT_PAGE, "text/html",
            "/oauth2-redirect.js", "text/javascript");

    @Inject
    @ConfigProperty(name = "openapi.ui.enabled", defaultValue = "false")
    boolean enabled;

    @Inject BrowserSettings browser;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!enabled) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        String file = request.getPathInfo();
        if (file == null || file.equals("/")) {
            page(request, response);
        } else if (OWN_FILES.containsKey(file)) {
            webjarFile(file, response);
        } else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private void page(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String base = request.getContextPath();
        response.setContentType("text/html");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>acs-auth-server API</title>
                <link rel="stylesheet" href="%1$s%2$s/swagger-ui.css"></head>
                <body><div id="swagger-ui"></div>
                <script src="%1$s%2$s/swagger-ui-bundle.js"></script>
                <script>
                const settings = %3$s;
                window.ui = SwaggerUIBundle({url: settings.base + "/openapi", dom_id: "#swagger-ui",
                  oauth2RedirectUrl: location.origin + settings.base + "/openapi-ui%4$s"});
                if (settings.oauth) { window.ui.initOAuth(settings.oauth); }
                </script>
                </body></html>
                """.formatted(base, SWAGGER_UI, scriptSettings(base), REDIRECT_PAGE));
    }

    /** The page's settings as a JSON object literal that is safe inside a script element. */
    String scriptSettings(String base) {
        JsonObjectBuilder settings = Json.createObjectBuilder().add("base", base);
        if (browser.signInAvailable()) {
            JsonArrayBuilder scopes = Json.createArrayBuilder().add(browser.apiScope());
            settings.add("oauth", Json.createObjectBuilder()
                    .add("clientId", browser.clientId())
                    .add("usePkceWithAuthorizationCodeGrant", true)
                    .add("scopes", scopes));
        }
        // "</script>" in a value must not end the element
        return settings.build().toString().replace("<", "\\u003c");
    }

    private void webjarFile(String file, HttpServletResponse response) throws IOException {
        try (InputStream in = getServletContext().getResourceAsStream(SWAGGER_UI + file)) {
            if (in == null) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            response.setContentType(OWN_FILES.get(file));
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            in.transferTo(response.getOutputStream());
        }
    }
}
