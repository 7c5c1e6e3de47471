package com.contoso.acsauth.entra;

import com.contoso.acsauth.correlation.Correlation;
import com.contoso.acsauth.correlation.CorrelationFilter;
import com.contoso.acsauth.problem.ProblemException;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Correlation with Entra ID for On-Behalf-Of. msal4j runs the exchange on its executor, away from the request thread,
 * so the headers are computed on the request thread and handed to msal4j with the request: a {@code traceparent} and
 * the trace id as msal4j's {@code client-request-id}, which Entra echoes as the error's {@code correlation_id}.
 */
final class OnBehalfOfCorrelation {

    static final String CLIENT_REQUEST_ID = "client-request-id";
    static final String CORRELATION_ID = "correlation_id";
    static final String TRACE_ID = "trace_id";
    private static final Pattern TRACE_ID_LINE = Pattern.compile("Trace ID: ([0-9A-Za-z-]+)");

    private OnBehalfOfCorrelation() {
    }

    /** The headers for msal4j's extraHttpHeaders: they replace msal4j's own client-request-id. */
    static Map<String, String> headers() {
        return Correlation.outgoing()
                .map(trace -> Map.of(CorrelationFilter.TRACEPARENT, trace.traceparent(), CLIENT_REQUEST_ID, trace.traceIdAsGuid()))
                .orElse(Map.of());
    }

    /**
     * {@code translated} with the ids Entra's support asks for: the error's {@code correlation_id} (msal4j reads it
     * from the body) and its {@code trace_id} (in the error description, or Entra's {@code x-ms-request-id}).
     */
    static RuntimeException attach(RuntimeException translated, Throwable failure) {
        if (translated instanceof ProblemException problem && failure instanceof MsalServiceException msal) {
            Matcher traceId = TRACE_ID_LINE.matcher(String.valueOf(msal.getMessage()));
            problem.downstreamId(CORRELATION_ID, msal.correlationId() != null ? msal.correlationId()
                            : header(msal.headers(), CLIENT_REQUEST_ID))
                    .downstreamId(TRACE_ID, traceId.find() ? traceId.group(1) : header(msal.headers(), "x-ms-request-id"));
        }
        return translated;
    }

    private static String header(Map<String, List<String>> headers, String name) {
        if (headers == null) {
            return null;
        }
        return headers.entrySet().stream().filter(h -> name.equalsIgnoreCase(h.getKey()) && h.getValue() != null)
                .flatMap(h -> h.getValue().stream()).findFirst().orElse(null);
    }
}
