package com.contoso.acsauth.problem;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one exception the controls throw for anything the caller should see as an HTTP problem. The mapper turns it
 * into {@code application/problem+json}; {@link #downstream()}, {@link #downstreamIds()} and the cause go to the log
 * line only.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> downstreamIds = new LinkedHashMap<>();
    private DownstreamOperation downstream;
    private Integer downstreamStatus;

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, null);
    }

    public ProblemException(ProblemType type, String detail, Throwable cause) {
        super(detail, cause);
        this.type = type;
    }

    public ProblemException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** The {@code WWW-Authenticate} challenge of this 401/403, one of {@link BearerChallenge}'s. */
    public ProblemException challenge(String bearerChallenge) {
        return header(BearerChallenge.HEADER, bearerChallenge);
    }

    public ProblemException from(DownstreamOperation call, Integer status) {
        this.downstream = call;
        this.downstreamStatus = status;
        return this;
    }

    /**
     * A request id the downstream service answered with (ACS {@code MS-CV}, Graph {@code request-id}, Entra's
     * {@code correlation_id} ...), for the log line: what the service's support asks for. Blank values are skipped.
     */
    public ProblemException downstreamId(String name, String value) {
        if (value != null && !value.isBlank()) {
            downstreamIds.put(name, value);
        }
        return this;
    }

    public ProblemType type() {
        return type;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, String> headers() {
        return Map.copyOf(headers);
    }

    /** In the order they were added. */
    public Map<String, String> downstreamIds() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(downstreamIds));
    }

    public Optional<DownstreamOperation> downstream() {
        return Optional.ofNullable(downstream);
    }

    public Optional<Integer> downstreamStatus() {
        return Optional.ofNullable(downstreamStatus);
    }
}
