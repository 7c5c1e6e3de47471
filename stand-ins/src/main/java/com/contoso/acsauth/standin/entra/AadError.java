package com.contoso.acsauth.standin.entra;

import com.contoso.acsauth.standin.StandInServer.Response;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * An Entra ID error answer (thrown by the checks, turned into the wire shape once): {@code error},
 * {@code error_description} "AADSTS<n>: ..." with the Trace ID / Correlation ID / Timestamp lines, {@code error_codes},
 * {@code timestamp}, {@code trace_id}, {@code correlation_id}, {@code error_uri}, and for Conditional Access
 * {@code suberror} and {@code claims}.
 */
final class AadError extends Exception {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");

    final int status;
    final String error;
    final int code;
    private final String suberror;
    private final String claims;

    AadError(int status, String error, int code, String message) {
        this(status, error, code, message, null, null);
    }

    AadError(int status, String error, int code, String message, String suberror, String claims) {
        super("AADSTS" + code + ": " + message, null, false, false);
        this.status = status;
        this.error = error;
        this.code = code;
        this.suberror = suberror;
        this.claims = claims;
    }

    static AadError invalidGrant(int code, String message) {
        return new AadError(400, "invalid_grant", code, message);
    }

    static AadError invalidRequest(int code, String message) {
        return new AadError(400, "invalid_request", code, message);
    }

    static AadError missingParameter(String name) {
        return invalidRequest(900144, "The request body must contain the following parameter: '" + name + "'.");
    }

    /** What an injected fault of {@code status} answers: throttling and outages as Entra reports them. */
    static AadError forStatus(int status) {
        if (status == 429) {
            return new AadError(429, "temporarily_unavailable", 90055,
                    "There are too many incoming requests. Please try again later.");
        }
        if (status >= 500) {
            return new AadError(status, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.");
        }
        if (status == 401) {
            return new AadError(401, "invalid_client", 7000215, "Invalid client secret provided.");
        }
        return new AadError(status, "invalid_request", 90100, "Request failed (injected fault " + status + ").");
    }

    /** The answer; {@code correlationId} is the caller's client-request-id when it sent one, as Entra echoes it. */
    Response toResponse(String correlationId) {
        Diagnostics diagnostics = Diagnostics.now(correlationId);
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("error", error)
                .add("error_description", describe(diagnostics))
                .add("error_codes", Json.createArrayBuilder().add(code))
                .add("timestamp", diagnostics.timestamp())
                .add("trace_id", diagnostics.traceId())
                .add("correlation_id", diagnostics.correlationId())
                .add("error_uri", errorUri());
        if (suberror != null) {
            body.add("suberror", suberror);
        }
        if (claims != null) {
            body.add("claims", claims);
        }
        // Entra's x-ms-request-id header is the error's trace id
        return Response.json(status, body.build()).withHeader("x-ms-request-id", diagnostics.traceId());
    }

    /** The error as Entra sends it back to an app's redirect URI: error, error_description, error_uri (state is the caller's). */
    Map<String, String> redirectParameters(String correlationId) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("error", error);
        parameters.put("error_description", describe(Diagnostics.now(correlationId)));
        parameters.put("error_uri", errorUri());
        return parameters;
    }

    /** "AADSTS&lt;n&gt;: message" and the Trace ID, Correlation ID and Timestamp lines. */
    String describe(Diagnostics diagnostics) {
        return getMessage() + "\r\nTrace ID: " + diagnostics.traceId() + "\r\nCorrelation ID: " + diagnostics.correlationId()
                + "\r\nTimestamp: " + diagnostics.timestamp();
    }

    private String errorUri() {
        return "https://login.microsoftonline.com/error?code=" + code;
    }

    /** What Entra adds to every error it reports, on the wire and on its error page. */
    record Diagnostics(String traceId, String correlationId, String timestamp) {

        /** A fresh trace id; the caller's correlation id (its client-request-id) when it sent one. */
        static Diagnostics now(String correlationId) {
            return new Diagnostics(UUID.randomUUID().toString(), correlationId != null ? correlationId : UUID.randomUUID().toString(),
                    TIMESTAMP.format(ZonedDateTime.now(ZoneOffset.UTC)));
        }
    }
}
