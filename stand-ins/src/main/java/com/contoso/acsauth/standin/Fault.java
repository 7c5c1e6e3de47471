package com.contoso.acsauth.standin;

import java.time.Duration;
import java.util.Objects;

/**
 * A misbehaviour to inject into one {@link Operation}: an error status (answered in the service's own error envelope,
 * optionally with {@code Retry-After}), added latency before the normal answer, or a connection closed without any
 * HTTP response, or an error status answered after the service acted on the request ({@link #statusAfterLanding}: a
 * gateway timing out while the write lands). Applies to the next call ({@link #times(int)} for the next n calls) or, with {@link #share(double)},
 * to that share of calls until cleared: share 0.5 hits calls 2, 4, 6, ... (deterministic, so tests are repeatable).
 */
public record Fault(Kind kind, int status, Integer retryAfterSeconds, Duration delay, int times, double share) {

    /**
     * {@code FOREIGN_STATUS}: the status from something in front of the service (a proxy, a gateway), as an HTML page.
     * {@code LANDED_STATUS}: the service handles the request (its state changes), then the caller gets the status.
     */
    public enum Kind { STATUS, FOREIGN_STATUS, LATENCY, DROP, LANDED_STATUS }

    public Fault {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(delay, "delay");
        if ((kind == Kind.STATUS || kind == Kind.FOREIGN_STATUS || kind == Kind.LANDED_STATUS) && (status < 400 || status > 599)) {
            throw new IllegalArgumentException("fault status must be 4xx or 5xx: " + status);
        }
        if (times < 0 || share < 0 || share > 1 || (times == 0) == (share == 0)) {
            throw new IllegalArgumentException("a fault needs either times >= 1 or a share in (0, 1]");
        }
    }

    public static Fault status(int status) {
        return new Fault(Kind.STATUS, status, null, Duration.ZERO, 1, 0);
    }

    /** {@code status} answered by a proxy or gateway in front of the service: an HTML page, not the service's envelope. */
    public static Fault foreignStatus(int status) {
        return new Fault(Kind.FOREIGN_STATUS, status, null, Duration.ZERO, 1, 0);
    }

    /** The service acts on the request, then {@code status} is answered in its envelope: the caller cannot tell it landed. */
    public static Fault statusAfterLanding(int status) {
        return new Fault(Kind.LANDED_STATUS, status, null, Duration.ZERO, 1, 0);
    }

    public static Fault latency(Duration delay) {
        return new Fault(Kind.LATENCY, 0, null, delay, 1, 0);
    }

    public static Fault drop() {
        return new Fault(Kind.DROP, 0, null, Duration.ZERO, 1, 0);
    }

    /** Adds {@code Retry-After: seconds} to a status fault. */
    public Fault retryAfter(int seconds) {
        if (kind != Kind.STATUS && kind != Kind.LANDED_STATUS) {
            throw new IllegalStateException("Retry-After only goes with a status fault");
        }
        return new Fault(kind, status, seconds, delay, times, share);
    }

    /** The next {@code n} calls. */
    public Fault times(int n) {
        return new Fault(kind, status, retryAfterSeconds, delay, n, 0);
    }

    /** That fraction of calls, until the faults are cleared. */
    public Fault share(double fraction) {
        return new Fault(kind, status, retryAfterSeconds, delay, 0, fraction);
    }
}
