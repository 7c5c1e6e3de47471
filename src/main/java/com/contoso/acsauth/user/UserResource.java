package com.contoso.acsauth.user;

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

/** {@code /api/user}: the caller's ACS identity mapping. */
@Path("user")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {

    @Inject UserIdentities identities;
    @Context SecurityContext security;

    /** 200 with the mapped identity; 404 when the caller has none. */
    @GET
    public IdentityMapping get() {
        return new IdentityMapping(identities.find(Caller.of(security)));
    }

    /** 201 when this call created the identity, 200 when the mapping already existed. */
    @POST
    public Response createOrGet() {
        UserIdentities.CreateOrGet result = identities.createOrGet(Caller.of(security));
        return Response.status(result.created() ? Response.Status.CREATED : Response.Status.OK)
                .entity(new IdentityMapping(result.acsUserId()))
                .build();
    }

    /** 204 once both the ACS identity and the mapping are gone; 404 when there was no mapping. */
    @DELETE
    public Response delete() {
        identities.delete(Caller.of(security));
        return Response.noContent().build();
    }
}
