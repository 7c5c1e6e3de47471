package com.contoso.acsauth.mapping;

import com.contoso.acsauth.problem.ProblemException;
import com.microsoft.kiota.ApiException;
import java.util.Set;

/** The ids a Graph failure is traced by, for the log line: Graph's {@code request-id} and the echoed {@code client-request-id}. */
final class GraphRequestIds {

    static final String REQUEST_ID = "request-id";

    private GraphRequestIds() {
    }

    /** {@code translated} with the ids of the answer that {@code failure} carries, when both are there. */
    static RuntimeException attach(RuntimeException translated, RuntimeException failure) {
        if (translated instanceof ProblemException problem && failure instanceof ApiException api
                && api.getResponseHeaders() != null) {
            problem.downstreamId(REQUEST_ID, first(api.getResponseHeaders().get(REQUEST_ID)))
                    .downstreamId(TraceparentInterceptor.CLIENT_REQUEST_ID,
                            first(api.getResponseHeaders().get(TraceparentInterceptor.CLIENT_REQUEST_ID)));
        }
        return translated;
    }

    private static String first(Set<String> values) {
        return values == null || values.isEmpty() ? null : values.iterator().next();
    }
}
