package com.contoso.acsauth.standin;

import java.util.Map;

/**
 * One request a stand-in received.
 *
 * @param operation what it was, or {@code null} for a request no operation matches (unknown path, MSAL's user realm lookup)
 * @param method    HTTP method
 * @param path      raw path as sent (no query)
 * @param status    status answered; {@code 0} when a fault dropped the connection without an answer
 * @param query     raw query as sent, or {@code null}
 * @param traceparent the W3C {@code traceparent} header the caller sent, or {@code null}
 * @param answerHeaders the headers of the answer (the service's request ids among them); empty when dropped
 */
public record Call(Operation operation, String method, String path, int status, String query, String traceparent,
                   Map<String, String> answerHeaders) {

    public Call {
        answerHeaders = answerHeaders == null ? Map.of() : Map.copyOf(answerHeaders);
    }

    public Call(Operation operation, String method, String path, int status) {
        this(operation, method, path, status, null, null, Map.of());
    }

    public Call(Operation operation, String method, String path, int status, String query) {
        this(operation, method, path, status, query, null, Map.of());
    }

    /** What was asked and answered, without the trace and the answer's headers: for comparing with a call built by hand. */
    public Call summary() {
        return new Call(operation, method, path, status, query);
    }

    /** A header of the answer, by name in any case; {@code null} when absent. */
    public String answerHeader(String name) {
        return answerHeaders.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /** The trace id of the {@code traceparent} sent (its second field), or {@code null}. */
    public String traceId() {
        String[] fields = traceparent == null ? new String[0] : traceparent.split("-");
        return fields.length >= 4 ? fields[1] : null;
    }

    /** The query's parameters, percent-decoded ({@code resource}, {@code client_id}, {@code api-version} ...). */
    public Map<String, String> queryParameters() {
        return StandInServer.Request.decodeForm(query);
    }

    /** True when the connection was closed without any HTTP response. */
    public boolean dropped() {
        return status == 0;
    }
}
