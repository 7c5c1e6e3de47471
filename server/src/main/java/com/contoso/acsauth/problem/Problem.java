package com.contoso.acsauth.problem;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * An RFC 9457 problem body. {@code code} and {@code message} repeat {@code status} and {@code detail} because the
 * Node.js original's clients read those two names. {@code correlationId} is the request's trace id (the caller's
 * {@code traceparent}'s, or a new one), also sent downstream and written on the log line.
 */
@JsonbPropertyOrder({"type", "title", "status", "detail", "instance", "code", "message", "correlationId"})
public record Problem(String type, String title, int status, String detail, String instance, int code, String message,
                      String correlationId) {

    public static final String MEDIA_TYPE = "application/problem+json";
    /** The schema in META-INF/openapi.yaml. */
    public static final String SCHEMA = "#/components/schemas/Problem";

    public static Problem of(ProblemType type, int status, String detail, String instance, String correlationId) {
        return new Problem(type.uri().toString(), type.title(), status, detail, instance, status, detail, correlationId);
    }
}
