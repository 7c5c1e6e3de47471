package com.contoso.acsauth.standin.graph;

import com.contoso.acsauth.standin.StandInServer.Response;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** A Graph error answer: {@code {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}}. */
final class GraphError extends Exception {

    final int status;
    final String code;

    GraphError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    /** What an injected fault of {@code status} answers, in the codes Graph uses for them. */
    static GraphError forStatus(int status) {
        return switch (status) {
            case 400 -> new GraphError(400, "BadRequest", "Bad request (injected fault).");
            case 401 -> new GraphError(401, "InvalidAuthenticationToken", "Access token validation failure.");
            case 403 -> new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
            case 404 -> new GraphError(404, "ResourceNotFound", "Resource not found (injected fault).");
            case 409 -> new GraphError(409, "Conflict", "Conflict (injected fault).");
            case 429 -> new GraphError(429, "TooManyRequests", "Please retry again later.");
            case 500 -> new GraphError(500, "generalException", "General exception while processing.");
            case 502 -> new GraphError(502, "BadGateway", "Bad gateway (injected fault).");
            case 503 -> new GraphError(503, "serviceNotAvailable", "Service unavailable, please retry later.");
            case 504 -> new GraphError(504, "UnknownError", "Gateway timeout (injected fault).");
            default -> new GraphError(status, status < 500 ? "BadRequest" : "generalException", "Injected fault " + status + ".");
        };
    }

    /** JSON, never text: Kiota cannot parse a text error body into an ODataError. */
    Response toResponse(String requestId, String clientRequestId) {
        String date = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS));
        JsonObjectBuilder inner = Json.createObjectBuilder();
        if (status == 429) {
            // throttling answers carry the status again inside innerError
            inner.add("code", "429").add("message", "Please retry after").add("status", "429");
        }
        inner.add("date", date).add("request-id", requestId)
                .add("client-request-id", clientRequestId != null ? clientRequestId : UUID.randomUUID().toString());
        // Graph names the same request-id in the body and the header
        return Response.json(status, Json.createObjectBuilder().add("error", Json.createObjectBuilder()
                .add("code", code).add("message", getMessage()).add("innerError", inner)).build())
                .withHeader("request-id", requestId);
    }
}
