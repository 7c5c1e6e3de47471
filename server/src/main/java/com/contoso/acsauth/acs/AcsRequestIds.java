package com.contoso.acsauth.acs;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;
import com.contoso.acsauth.problem.ProblemException;

/**
 * The ids an ACS failure is traced by, for the log line: the service's {@code MS-CV} (correlation vector) and
 * {@code x-ms-request-id}, and the {@code x-ms-client-request-id} azure-core sent with the call.
 */
final class AcsRequestIds {

    static final String CORRELATION_VECTOR = "MS-CV";
    static final String REQUEST_ID = "x-ms-request-id";
    static final String CLIENT_REQUEST_ID = "x-ms-client-request-id";

    private AcsRequestIds() {
    }

    /** {@code translated} with the ids of the answer that {@code failure} carries, when it is a problem. */
    static RuntimeException attach(RuntimeException translated, HttpResponseException failure) {
        HttpResponse response = failure.getResponse();
        if (translated instanceof ProblemException problem && response != null) {
            problem.downstreamId(CORRELATION_VECTOR, response.getHeaderValue(CORRELATION_VECTOR))
                    .downstreamId(REQUEST_ID, response.getHeaderValue(REQUEST_ID))
                    .downstreamId(CLIENT_REQUEST_ID, response.getRequest() == null ? null
                            : response.getRequest().getHeaders().getValue(CLIENT_REQUEST_ID));
        }
        return translated;
    }
}
