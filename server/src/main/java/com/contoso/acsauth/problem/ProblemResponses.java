package com.contoso.acsauth.problem;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.security.Principal;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;

/** Builds the JAX-RS response of a problem and logs it: the one place both happen for the API. */
final class ProblemResponses {

    private static final RequestCorrelation CORRELATION = ServiceLoader
            .load(RequestCorrelation.class, RequestCorrelation.class.getClassLoader()).findFirst()
            // without the correlation package (never in the WAR): a random id of the trace id's form
            .orElse(() -> UUID.randomUUID().toString().replace("-", ""));

    private ProblemResponses() {
    }

    /** The correlation id of the request being answered. */
    static String correlationId() {
        return CORRELATION.id();
    }

    static Response respond(ProblemType type, int status, String detail, Map<String, String> headers,
                            Optional<DownstreamOperation> downstream, Optional<Integer> downstreamStatus,
                            Map<String, String> downstreamIds, Throwable cause,
                            SecurityContext security, UriInfo uri, String method) {
        String instance = ProblemLog.newInstance();
        String correlationId = correlationId();
        Principal principal = security == null ? null : security.getUserPrincipal();
        ProblemLog.log(instance, correlationId, status, type, detail, principal, method,
                uri == null ? "-" : "/" + uri.getPath(), downstream, downstreamStatus, downstreamIds, cause);
        Response.ResponseBuilder response = Response.status(status)
                .type(Problem.MEDIA_TYPE)
                .entity(Problem.of(type, status, detail, instance, correlationId));
        headers.forEach(response::header);
        if ((status == 429 || status == 503) && !headers.containsKey("Retry-After")) {
            // every "try again later" says when (RFC 9110 15.5.20, 15.6.4): clients then back off instead of hammering
            response.header("Retry-After", status == 429 ? "1" : "5");
        }
        return response.build();
    }
}
