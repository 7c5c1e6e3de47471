package com.contoso.acsauth.token;

import com.contoso.acsauth.acs.AcsToken;
import com.contoso.acsauth.security.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.time.format.DateTimeFormatter;

/**
 * {@code /api/token}: ACS access tokens. Both GETs answer 201, as both originals do, because existing clients may
 * depend on it.
 */
@Path("token")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class TokenResource {

    static final String TEAMS_TOKEN_HEADER = "teams-user-aad-token";

    @Inject AcsTokens tokens;
    @Context SecurityContext security;

    /** 201 with a token for the caller's mapped identity; 404 when the caller has no mapping. */
    @GET
    public Response issue() {
        AcsTokens.TokenForUser issued = tokens.issueFor(Caller.of(security));
        return Response.status(Response.Status.CREATED)
                .entity(new TokenResponses.UserToken(issued.token().token(), iso(issued.token()),
                        new TokenResponses.CommunicationUser(issued.acsUserId(), issued.acsUserId())))
                .build();
    }

    /** 201 with an ACS token for the Teams user whose Entra token is in the {@code teams-user-aad-token} header. */
    @GET
    @Path("teams")
    public Response exchangeTeamsToken(@HeaderParam(TEAMS_TOKEN_HEADER) String teamsUserAadToken) {
        AcsToken token = tokens.exchangeTeamsToken(Caller.of(security), teamsUserAadToken);
        return Response.status(Response.Status.CREATED)
                .entity(new TokenResponses.TeamsUserToken(token.token(), iso(token)))
                .build();
    }

    private static String iso(AcsToken token) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(token.expiresOn());
    }
}
