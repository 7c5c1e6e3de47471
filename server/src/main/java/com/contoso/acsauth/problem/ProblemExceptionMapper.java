package com.contoso.acsauth.problem;

import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Domain problems thrown by the controls. */
@Provider
public class ProblemExceptionMapper implements ExceptionMapper<ProblemException> {

    @Context SecurityContext security;
    @Context UriInfo uri;
    @Context Request request;

    @Override
    public Response toResponse(ProblemException e) {
        return ProblemResponses.respond(e.type(), e.type().status(), e.detail(), e.headers(), e.downstream(),
                e.downstreamStatus(), e.downstreamIds(), e.getCause() != null ? e.getCause() : e, security, uri,
                request.getMethod());
    }
}
