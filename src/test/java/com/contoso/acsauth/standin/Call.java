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
 */
public record Call(Operation operation, String method, String path, int status, String query, String traceparent) {

    public Call(Operation operation, String method, String path, int status) {
        this(operation, method, path, status, null, null);
    }

    public Call(Operation operation, String method, String path, int status, String query) {
        this(operation, method, path, status, query, null);
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
