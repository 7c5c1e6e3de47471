package com.contoso.acsauth;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.auth.LoginConfig;

/**
 * The HTTP API, served under {@code /api}. Callers authenticate with an Entra ID v2 access token
 * (MicroProfile JWT); authorization is the portable scope check in {@code security.CallerAuthorizationFilter}.
 */
@ApplicationPath("api")
@LoginConfig(authMethod = "MP-JWT")
public class ApiApplication extends Application {
}
