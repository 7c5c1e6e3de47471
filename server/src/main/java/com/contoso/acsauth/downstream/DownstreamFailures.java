package com.contoso.acsauth.downstream;

import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Turns what a downstream call did (an HTTP status, or an I/O failure somewhere in an SDK's exception chain) into
 * the precise status the caller sees: throttling 429, unreachable 503, timeout 504, anything else broken 502.
 */
public final class DownstreamFailures {

    private DownstreamFailures() {
    }

    /** A downstream HTTP error status that has no more specific meaning for the operation. */
    public static ProblemException forStatus(DownstreamCall call, int status, Optional<String> retryAfter,
                                             String downstreamMessage, Throwable cause) {
        String service = call.service().displayName();
        ProblemException problem;
        if (status == 429) {
            problem = new ProblemException(ProblemType.DOWNSTREAM_THROTTLED,
                    service + " is throttling this server's requests; retry after the time in Retry-After.", cause);
            problem.header("Retry-After", retryAfter.filter(DownstreamFailures::isSeconds).orElse("1"));
        } else if (status == 503) {
            problem = new ProblemException(ProblemType.DOWNSTREAM_UNAVAILABLE, service + " is unavailable; retry later.", cause);
            retryAfter.filter(DownstreamFailures::isSeconds).ifPresent(v -> problem.header("Retry-After", v));
        } else if (status == 504 || status == 408) {
            problem = new ProblemException(ProblemType.DOWNSTREAM_TIMEOUT, service + " did not answer in time.", cause);
        } else if (status == 401 || status == 403) {
            problem = new ProblemException(ProblemType.DOWNSTREAM_FAILED, service + " refused this server's credentials ("
                    + status + "); the server's configuration must be fixed.", cause);
        } else {
            problem = new ProblemException(ProblemType.DOWNSTREAM_FAILED, service + " answered " + status
                    + (downstreamMessage == null || downstreamMessage.isBlank() ? "." : ": " + downstreamMessage), cause);
        }
        return problem.from(call, status);
    }

    /**
     * Classifies a failure that carried no HTTP status. Returns empty when nothing in the chain is an I/O failure,
     * so the caller rethrows the original (a programming error then surfaces as a 500 with a logged trace).
     */
    public static Optional<ProblemException> forIoFailure(DownstreamCall call, Throwable failure) {
        String service = call.service().displayName();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpConnectTimeoutException || t instanceof ConnectException
                    || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return Optional.of(new ProblemException(ProblemType.DOWNSTREAM_UNAVAILABLE,
                        service + " cannot be reached.", failure).from(call, null));
            }
            if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException
                    || t instanceof TimeoutException || t instanceof InterruptedIOException
                    || t instanceof DeadlineReachedException) {
                return Optional.of(new ProblemException(ProblemType.DOWNSTREAM_TIMEOUT,
                        service + " did not answer in time.", failure).from(call, null));
            }
            if (t instanceof SSLException) {
                return Optional.of(new ProblemException(ProblemType.DOWNSTREAM_FAILED,
                        "A secure connection to " + service + " could not be established.", failure).from(call, null));
            }
            if (t instanceof IOException) {
                return Optional.of(new ProblemException(ProblemType.DOWNSTREAM_FAILED,
                        service + " closed the connection or sent an unreadable answer.", failure).from(call, null));
            }
        }
        return Optional.empty();
    }

    private static boolean isSeconds(String value) {
        return value.trim().matches("\\d{1,6}");
    }
}
