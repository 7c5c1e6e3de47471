package com.contoso.acsauth.security;

import com.contoso.acsauth.problem.BearerChallenge;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.Provider;
import java.security.Principal;
import java.util.Locale;

/**
 * Authenticates and authorizes every API call: a valid token of a trusted issuer ({@link BearerTokenVerifier}), for a
 * user, with the issuer's scope ({@code access_as_user} by default). Entra ID v2 tokens carry no {@code groups}, so
 * {@code @RolesAllowed} would behave differently on each server; this filter behaves the same on all. It runs
 * before any resource, so a rejected request never reaches Graph, ACS or Entra ID.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class CallerAuthorizationFilter implements ContainerRequestFilter {

    private static final String BEARER = "bearer ";

    @Inject BearerTokenVerifier verifier;

    @Override
    public void filter(ContainerRequestContext request) {
        if ("OPTIONS".equals(request.getMethod())) {
            return;
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization == null || authorization.isBlank()) {
            throw new ProblemException(ProblemType.UNAUTHENTICATED,
                    "Send an access token for this API (from Entra ID or another trusted issuer) in the Authorization header: Bearer <token>.")
                    .challenge(BearerChallenge.none());
        }
        if (!authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            throw invalidToken("The Authorization header must use the Bearer scheme.");
        }
        Caller caller = verifier.verify(authorization.substring(BEARER.length()).trim());
        request.setSecurityContext(new CallerSecurityContext(caller, request.getSecurityContext()));
    }

    private static ProblemException invalidToken(String detail) {
        return new ProblemException(ProblemType.INVALID_TOKEN, detail)
                .challenge(BearerChallenge.invalidToken());
    }

    /** Exposes the verified caller as the request's principal, for resources and the problem log. */
    private record CallerSecurityContext(Caller caller, SecurityContext original) implements SecurityContext {

        @Override
        public Principal getUserPrincipal() {
            return caller;
        }

        @Override
        public boolean isUserInRole(String role) {
            return false;
        }

        @Override
        public boolean isSecure() {
            return original != null && original.isSecure();
        }

        @Override
        public String getAuthenticationScheme() {
            return "Bearer";
        }
    }
}
