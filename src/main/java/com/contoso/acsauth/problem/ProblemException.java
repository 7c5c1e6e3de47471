package com.contoso.acsauth.problem;

import com.contoso.acsauth.downstream.DownstreamCall;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one exception the controls throw for anything the caller should see as an HTTP problem. The mapper turns it
 * into {@code application/problem+json}; {@link #downstream()} and the cause go to the log line only.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private DownstreamCall downstream;
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

    public ProblemException from(DownstreamCall call, Integer status) {
        this.downstream = call;
        this.downstreamStatus = status;
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

    public Optional<DownstreamCall> downstream() {
        return Optional.ofNullable(downstream);
    }

    public Optional<Integer> downstreamStatus() {
        return Optional.ofNullable(downstreamStatus);
    }
}
