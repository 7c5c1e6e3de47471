package com.contoso.acsauth.token;

import com.contoso.acsauth.acs.AcsToken;
import com.contoso.acsauth.problem.Problem;
import com.contoso.acsauth.security.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.time.format.DateTimeFormatter;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /api/token}: ACS access tokens. Both GETs answer 201, as both originals do, because existing clients may
 * depend on it; both count against the caller's per-user quota (429 {@code rate-limited} beyond it).
 */
@Path("token")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "token", description = "ACS access tokens")
@APIResponse(ref = "Unauthorized", responseCode = "401")
@APIResponse(ref = "Forbidden", responseCode = "403")
@APIResponse(ref = "Throttled", responseCode = "429")
@APIResponse(ref = "DownstreamFailed", responseCode = "502")
@APIResponse(ref = "DownstreamUnavailable", responseCode = "503")
@APIResponse(ref = "DownstreamTimeout", responseCode = "504")
public class TokenResource {

    static final String TEAMS_TOKEN_HEADER = "teams-user-aad-token";

    @Inject AcsTokens tokens;
    @Context SecurityContext security;

    /** 201 with a token for the caller's mapped identity; 404 when the caller has no mapping. */
    @GET
    @Operation(summary = "An ACS access token for the caller's identity",
            description = "Never creates an identity: call POST /api/user first. Answers 201, as the originals do.")
    @APIResponse(responseCode = "201", description = "A fresh ACS token",
            content = @Content(schema = @Schema(implementation = TokenResponses.UserToken.class)))
    @APIResponse(responseCode = "404", description = "No identity mapping, or the mapped identity was deleted",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
    @APIResponse(responseCode = "409", description = "The mapped identity belongs to another ACS resource, or the stored "
            + "mapping was not written by this server (mapping-tampered, mapping-unsigned)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
    public Response issue() {
        AcsTokens.TokenForUser issued = tokens.issueFor(Caller.of(security));
        return noStore(Response.status(Response.Status.CREATED))
                .entity(new TokenResponses.UserToken(issued.token().token(), iso(issued.token()),
                        new TokenResponses.CommunicationUser(issued.acsUserId(), issued.acsUserId())))
                .build();
    }

    /** 201 with an ACS token for the Teams user whose Entra token is in the {@code teams-user-aad-token} header. */
    @GET
    @Path("teams")
    @Operation(summary = "Exchange a Teams user's Entra ID token for an ACS token",
            description = "The Teams token's oid must be the caller's and its appid the configured ACS_TEAMS_APP_ID.")
    @APIResponse(responseCode = "201", description = "An ACS token for the Teams user, expiring with the Entra token",
            content = @Content(schema = @Schema(implementation = TokenResponses.TeamsUserToken.class)))
    @APIResponse(responseCode = "400", description = "The teams-user-aad-token header is missing, or ACS rejected its token",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
    public Response exchangeTeamsToken(
            @Parameter(description = "Entra ID access token of the Teams user for https://auth.msft.communication.azure.com")
            @HeaderParam(TEAMS_TOKEN_HEADER) String teamsUserAadToken) {
        AcsToken token = tokens.exchangeTeamsToken(Caller.of(security), teamsUserAadToken);
        return noStore(Response.status(Response.Status.CREATED))
                .entity(new TokenResponses.TeamsUserToken(token.token(), iso(token)))
                .build();
    }

    /** 204 once ACS revoked every token of the caller's identity; 404 when the caller has no mapping. */
    @DELETE
    @Operation(summary = "Revoke every ACS token issued so far for the caller's identity",
            description = "For sign-out everywhere or a lost device. The identity and its mapping stay: GET /api/token "
                    + "issues new tokens afterwards. ACS says revocation can take up to 15 minutes to reach every service.")
    @APIResponse(responseCode = "204", description = "ACS revoked the identity's tokens")
    @APIResponse(responseCode = "404", description = "No identity mapping, or the mapped identity was deleted",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
    @APIResponse(responseCode = "409", description = "The mapped identity belongs to another ACS resource, or the stored "
            + "mapping was not written by this server (mapping-tampered, mapping-unsigned)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
    public Response revoke() {
        tokens.revokeFor(Caller.of(security));
        return Response.noContent().build();
    }

    /** A token response must never be cached by the browser or a proxy (RFC 6749 section 5.1). */
    private static Response.ResponseBuilder noStore(Response.ResponseBuilder response) {
        return response.header(HttpHeaders.CACHE_CONTROL, "no-store").header("Pragma", "no-cache");
    }

    private static String iso(AcsToken token) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(token.expiresOn());
    }
}
