package com.contoso.acsauth.user;

import com.contoso.acsauth.problem.Problem;
import com.contoso.acsauth.security.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/user}: the caller's ACS identity mapping. */
@Path("user")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "user", description = "The caller's ACS identity and its mapping to the Entra user")
@APIResponse(ref = "Unauthorized", responseCode = "401")
@APIResponse(ref = "Forbidden", responseCode = "403")
@APIResponse(ref = "Throttled", responseCode = "429")
@APIResponse(ref = "DownstreamFailed", responseCode = "502")
@APIResponse(ref = "DownstreamUnavailable", responseCode = "503")
@APIResponse(ref = "DownstreamTimeout", responseCode = "504")
public class UserResource {

    @Inject UserIdentities identities;
    @Context SecurityContext security;

    /** 200 with the mapped identity; 404 when the caller has none. */
    @GET
    @Operation(summary = "The caller's ACS identity")
    @APIResponse(responseCode = "200", description = "The mapped identity",
            content = @Content(schema = @Schema(implementation = IdentityMapping.class)))
    @APIResponse(responseCode = "404", description = "No identity mapping is stored for the caller",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
    @APIResponse(responseCode = "409", description = "The stored mapping was not written by this server (mapping-tampered, "
            + "mapping-unsigned): it is not used", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
    public IdentityMapping get() {
        return new IdentityMapping(identities.find(Caller.of(security)));
    }

    /** 201 when this call created the identity, 200 when the mapping already existed. */
    @POST
    @Operation(summary = "Create the caller's ACS identity, or return the existing one",
            description = "Idempotent per user: concurrent calls create one identity; a failure never leaves an orphan.")
    @APIResponse(responseCode = "201", description = "Created a new ACS identity and stored its mapping",
            content = @Content(schema = @Schema(implementation = IdentityMapping.class)))
    @APIResponse(responseCode = "200", description = "The mapping already existed",
            content = @Content(schema = @Schema(implementation = IdentityMapping.class)))
    @APIResponse(responseCode = "409", description = "The user already has two open extensions from this app, the "
            + "mapping changed concurrently, or the stored mapping was not written by this server (mapping-tampered, "
            + "mapping-unsigned)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
    public Response createOrGet() {
        UserIdentities.CreateOrGet result = identities.createOrGet(Caller.of(security));
        return Response.status(result.created() ? Response.Status.CREATED : Response.Status.OK)
                .entity(new IdentityMapping(result.acsUserId()))
                .build();
    }

    /** 204 once both the ACS identity and the mapping are gone; 404 when there was no mapping. */
    @DELETE
    @Operation(summary = "Delete the caller's ACS identity and its mapping",
            description = "Deletes the ACS identity first, then the mapping; a retried DELETE finishes a partial one.")
    @APIResponse(responseCode = "204", description = "Both the ACS identity and the mapping are gone")
    @APIResponse(responseCode = "404", description = "No identity mapping is stored for the caller",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
    @APIResponse(responseCode = "409", description = "The mapped identity belongs to another ACS resource, or the stored "
            + "mapping was not written by this server (then nothing is deleted)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = Problem.SCHEMA)))
    public Response delete() {
        identities.delete(Caller.of(security));
        return Response.noContent().build();
    }
}
