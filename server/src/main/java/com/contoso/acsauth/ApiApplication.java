package com.contoso.acsauth;

import com.contoso.acsauth.problem.Problem;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The HTTP API, served under {@code /api}. Callers authenticate with an Entra ID v2 access token, checked by
 * {@code security.CallerAuthorizationFilter} identically on every server (no container login configuration).
 */
@ApplicationPath("api")
@OpenAPIDefinition(
        info = @Info(title = "ACS Authentication Server API", version = "1.0",
                description = "Maps users of Entra ID and other trusted issuers (External ID, B2C, OpenID Connect "
                        + "providers) to Azure Communication Services identities and issues ACS access tokens. Every error is an RFC 9457 problem (application/problem+json).",
                license = @License(name = "MIT")),
        security = @SecurityRequirement(name = ApiApplication.BEARER),
        components = @Components(responses = {
                @APIResponse(name = "Unauthorized", responseCode = "401",
                        description = "No bearer token, or one that is invalid, expired, for another audience, tenant "
                                + "or issuer, or without an oid claim. WWW-Authenticate: Bearer.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA))),
                @APIResponse(name = "Forbidden", responseCode = "403",
                        description = "The token lacks the access_as_user scope (WWW-Authenticate: Bearer "
                                + "error=\"insufficient_scope\"), admin consent for Graph is missing, or (GET /api/token/teams) "
                                + "the caller is not an Entra ID workforce user (teams-not-available).",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA))),
                @APIResponse(name = "Throttled", responseCode = "429",
                        description = "ACS, Graph or Entra ID throttled the server (downstream-throttled), the caller "
                                + "asked for more tokens than its per-user quota allows (rate-limited), or another request "
                                + "of the same user is still in progress (user-busy); retry after Retry-After seconds.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA))),
                @APIResponse(name = "DownstreamFailed", responseCode = "502",
                        description = "A downstream service failed or refused the server's credentials.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA))),
                @APIResponse(name = "DownstreamUnavailable", responseCode = "503",
                        description = "A downstream service, or the mapping database (mapping-store-unavailable), "
                                + "cannot be reached or is unavailable; Retry-After says when to try again.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA))),
                @APIResponse(name = "DownstreamTimeout", responseCode = "504",
                        description = "A downstream service did not answer in time.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
        }))
@SecurityScheme(securitySchemeName = ApiApplication.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        bearerFormat = "JWT", description = "An access token for this API with the scope access_as_user: an Entra ID v2 "
                + "token of the tenant AAD_TENANT_ID or of one in AAD_ALLOWED_TENANTS, or a token of an issuer in "
                + "TRUSTED_ISSUERS with that issuer's audience and scope. The token's iss selects the issuer.")
public class ApiApplication extends Application {

    static final String BEARER = "entra-id";
}
