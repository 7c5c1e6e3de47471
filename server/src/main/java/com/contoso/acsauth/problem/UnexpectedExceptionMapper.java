package com.contoso.acsauth.problem;

import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;
import java.util.Optional;

/** Anything unforeseen: a generic 500 whose instance id leads to the stack trace in the log. */
@Provider
public class UnexpectedExceptionMapper implements ExceptionMapper<Exception> {

    @Context SecurityContext security;
    @Context UriInfo uri;
    @Context Request request;

    @Override
    public Response toResponse(Exception e) {
        return ProblemResponses.respond(ProblemType.INTERNAL_ERROR, 500,
                "The server failed unexpectedly; quote the instance id when you report it.",
                Map.of(), Optional.empty(), Optional.empty(), Map.of(), e, security, uri, request.getMethod());
    }
}
