package com.contoso.acsauth.downstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DownstreamFailuresTest {

    static final DownstreamCall ISSUE = new DownstreamCall(DownstreamCall.Service.ACS, "issueToken");

    @ParameterizedTest
    @CsvSource({"429,429", "503,503", "504,504", "408,504", "500,502", "502,502", "401,502", "403,502", "400,502"})
    void downstreamStatusesMapToPreciseStatuses(int downstream, int expected) {
        ProblemException e = DownstreamFailures.forStatus(ISSUE, downstream, Optional.empty(), "msg", null);

        assertEquals(expected, e.type().status());
        assertEquals(Optional.of(downstream), e.downstreamStatus());
    }

    @Test
    void throttlingPassesRetryAfterOn() {
        ProblemException e = DownstreamFailures.forStatus(ISSUE, 429, Optional.of("7"), null, null);

        assertEquals("7", e.headers().get("Retry-After"));
    }

    @Test
    void throttlingWithoutUsableRetryAfterStillTellsClientsToWait() {
        ProblemException e = DownstreamFailures.forStatus(ISSUE, 429, Optional.of("Wed, 21 Oct 2015 07:28:00 GMT"), null, null);

        assertEquals("1", e.headers().get("Retry-After"));
    }

    @Test
    void ioFailuresAreClassifiedFromAnywhereInTheChain() {
        assertEquals(ProblemType.DOWNSTREAM_TIMEOUT, DownstreamFailures.forIoFailure(ISSUE,
                new RuntimeException(new IllegalStateException(new SocketTimeoutException()))).orElseThrow().type());
        assertEquals(ProblemType.DOWNSTREAM_FAILED, DownstreamFailures.forIoFailure(ISSUE,
                new RuntimeException(new IOException("connection reset"))).orElseThrow().type());
        assertTrue(DownstreamFailures.forIoFailure(ISSUE, new IllegalArgumentException("bug")).isEmpty());
    }
}
