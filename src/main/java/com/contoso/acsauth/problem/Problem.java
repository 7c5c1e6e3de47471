package com.contoso.acsauth.problem;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * An RFC 9457 problem body. {@code code} and {@code message} repeat {@code status} and {@code detail} because the
 * Node.js original's clients read those two names.
 */
@JsonbPropertyOrder({"type", "title", "status", "detail", "instance", "code", "message"})
public record Problem(String type, String title, int status, String detail, String instance, int code, String message) {

    public static final String MEDIA_TYPE = "application/problem+json";
    /** The schema in META-INF/openapi.yaml. */
    public static final String SCHEMA = "#/components/schemas/Problem";

    public static Problem of(ProblemType type, int status, String detail, String instance) {
        return new Problem(type.uri().toString(), type.title(), status, detail, instance, status, detail);
    }
}
