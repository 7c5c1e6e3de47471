package com.contoso.acsauth.web;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A Swagger UI page over the server's MicroProfile OpenAPI document, switched on with OPENAPI_UI_ENABLED=true
 * (on in the local stack). The UI's scripts come from the swagger-ui webjar in the WAR.
 */
@WebServlet(urlPatterns = "/openapi-ui")
public class SwaggerUiServlet extends HttpServlet {

    static final String SWAGGER_UI = "/webjars/swagger-ui/5.34.1"; // keep in step with swagger-ui.version in pom.xml

    @Inject
    @ConfigProperty(name = "openapi.ui.enabled", defaultValue = "false")
    boolean enabled;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!enabled) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        String base = request.getContextPath();
        response.setContentType("text/html");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>acs-auth-server API</title>
                <link rel="stylesheet" href="%1$s%2$s/swagger-ui.css"></head>
                <body><div id="swagger-ui"></div>
                <script src="%1$s%2$s/swagger-ui-bundle.js"></script>
                <script>window.ui = SwaggerUIBundle({url: "%1$s/openapi", dom_id: "#swagger-ui"});</script>
                </body></html>
                """.formatted(base, SWAGGER_UI));
    }
}
