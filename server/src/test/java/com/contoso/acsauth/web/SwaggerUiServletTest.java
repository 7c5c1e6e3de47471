package com.contoso.acsauth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The settings the Swagger UI page hands to SwaggerUIBundle and initOAuth. */
class SwaggerUiServletTest {

    static final URI INSTANCE = URI.create("https://login.microsoftonline.com/");

    @Test
    void signInAsTheBrowserClientWithPkceForTheApisScope() {
        SwaggerUiServlet servlet = servlet(new BrowserSettings(false, INSTANCE, "8b4a1c6e-2f3d-4e5a-9b7c-0d1e2f3a4b5c",
                "c0ffee00-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "api://5e1c7a2b-9d4f-4c3e-8a6b-1f2e3d4c5b6a/access_as_user"));

        assertEquals("{\"base\":\"\",\"oauth\":{\"clientId\":\"c0ffee00-1a2b-4c3d-8e9f-0a1b2c3d4e5f\","
                + "\"usePkceWithAuthorizationCodeGrant\":true,\"scopes\":[\"api://5e1c7a2b-9d4f-4c3e-8a6b-1f2e3d4c5b6a/access_as_user\"]}}",
                servlet.scriptSettings(""));
    }

    @Test
    void withoutAnEntraWorkforceTenantThereIsNoSignIn() {
        SwaggerUiServlet servlet = servlet(new BrowserSettings(false, INSTANCE, "", "", ""));

        assertEquals("{\"base\":\"/acs\"}", servlet.scriptSettings("/acs"));
    }

    @Test
    void noValueCanEndTheScriptElement() {
        SwaggerUiServlet servlet = servlet(new BrowserSettings(false, INSTANCE, "t", "</script><script>alert(1)", "s"));

        assertFalse(servlet.scriptSettings("").contains("<"), servlet.scriptSettings(""));
    }

    private static SwaggerUiServlet servlet(BrowserSettings settings) {
        SwaggerUiServlet servlet = new SwaggerUiServlet();
        servlet.browser = settings;
        return servlet;
    }
}
