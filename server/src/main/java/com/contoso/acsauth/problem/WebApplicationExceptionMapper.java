package com.contoso.acsauth.problem;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;
import java.util.Optional;

/** What JAX-RS itself raises: unknown route 404, wrong method 405 (keeping {@code Allow}), 406, 415, ... */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Context SecurityContext security;
    @Context UriInfo uri;
    @Context Request request;

    @Override
    public Response toResponse(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        ProblemType type = ProblemType.forStatus(status);
        String detail = switch (status) {
            case 404 -> "There is no resource at this path.";
            case 405 -> "This resource does not support " + request.getMethod() + "; allowed: "
                    + e.getResponse().getHeaderString(HttpHeaders.ALLOW) + ".";
            default -> type.title() + ".";
        };
        Map<String, String> headers = e instanceof NotAllowedException && e.getResponse().getHeaderString(HttpHeaders.ALLOW) != null
                ? Map.of(HttpHeaders.ALLOW, e.getResponse().getHeaderString(HttpHeaders.ALLOW))
                : Map.of();
        return ProblemResponses.respond(type, status, detail, headers, Optional.empty(), Optional.empty(), Map.of(),
                status >= 500 ? e : null, security, uri, request.getMethod());
    }
}
