package com.contoso.acsauth.security;

import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.security.Principal;
import java.util.Arrays;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Authorizes every API call on the token's {@code scp} claim. Entra ID v2 tokens carry no {@code groups}, so
 * {@code @RolesAllowed} behaves differently on Payara, Liberty and WildFly; this filter behaves the same on all.
 * It runs before any resource, so a rejected request never reaches Graph, ACS or Entra ID.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class CallerAuthorizationFilter implements ContainerRequestFilter {

    static final String REQUIRED_SCOPE = "access_as_user";

    @Inject EntraSettings entra;

    @Override
    public void filter(ContainerRequestContext request) {
        if ("OPTIONS".equals(request.getMethod())) {
            return;
        }
        boolean tokenSent = request.getHeaderString(HttpHeaders.AUTHORIZATION) != null;
        Principal principal = request.getSecurityContext() == null ? null : request.getSecurityContext().getUserPrincipal();
        if (!(principal instanceof JsonWebToken jwt) || jwt.getRawToken() == null) {
            // Liberty lets a rejected token through unauthenticated; Payara and WildFly reject it before us.
            throw tokenSent
                    ? invalidToken("The bearer token is invalid, expired, or not issued for this API by the configured tenant.")
                    : new ProblemException(ProblemType.UNAUTHENTICATED,
                            "Send an Entra ID access token for this API in the Authorization header: Bearer <token>.")
                            .header("WWW-Authenticate", "Bearer");
        }
        // Defence in depth: MP-JWT already checks issuer and audience, but a misconfigured server must not widen them.
        if (!entra.issuer().equals(jwt.getIssuer())) {
            throw invalidToken("The bearer token was not issued by the configured tenant.");
        }
        Set<String> audiences = jwt.getAudience() == null ? Set.of() : jwt.getAudience();
        if (!audiences.contains(entra.clientId()) && !audiences.contains("api://" + entra.clientId())) {
            throw invalidToken("The bearer token was not issued for this API.");
        }
        if (!entra.tenantId().equalsIgnoreCase(String.valueOf(Claims.text(jwt, "tid")))) {
            throw invalidToken("The bearer token belongs to another tenant.");
        }
        if (Claims.text(jwt, "oid") == null) {
            throw invalidToken("The bearer token has no oid claim; only tokens issued to users are accepted.");
        }
        String scopes = Claims.text(jwt, "scp");
        if (scopes == null || Arrays.stream(scopes.split(" ")).noneMatch(REQUIRED_SCOPE::equals)) {
            throw new ProblemException(ProblemType.INSUFFICIENT_SCOPE,
                    "The bearer token must carry the scope " + REQUIRED_SCOPE + " of this API.")
                    .header("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"" + REQUIRED_SCOPE + "\"");
        }
    }

    private static ProblemException invalidToken(String detail) {
        return new ProblemException(ProblemType.INVALID_TOKEN, detail)
                .header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
}
