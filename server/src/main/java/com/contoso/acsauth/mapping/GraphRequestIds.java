package com.contoso.acsauth.mapping;

import com.contoso.acsauth.problem.ProblemException;

/** The ids a Graph failure is traced by, for the log line: Graph's {@code request-id} and the echoed {@code client-request-id}. */
final class GraphRequestIds {

    private GraphRequestIds() {
    }

    /** {@code translated} with the ids of Graph's {@code answer}, when it is a problem. */
    static RuntimeException attach(RuntimeException translated, GraphRest.Answer answer) {
        if (translated instanceof ProblemException problem) {
            problem.downstreamId(GraphRest.REQUEST_ID, answer.requestId())
                    .downstreamId(GraphRest.CLIENT_REQUEST_ID, answer.clientRequestId());
        }
        return translated;
    }
}
