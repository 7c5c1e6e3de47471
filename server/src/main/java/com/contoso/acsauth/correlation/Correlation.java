package com.contoso.acsauth.correlation;

import java.util.Optional;

/**
 * The trace context of the request the current thread serves, bound by {@link CorrelationFilter} for the length of
 * the request. The SDK calls of ACS and Graph run on the request thread and read it there; msal4j runs on its own
 * executor, so On-Behalf-Of takes its headers from {@link #outgoing()} on the request thread and hands them over.
 */
public final class Correlation {

    private static final ThreadLocal<TraceContext> CURRENT = new ThreadLocal<>();

    private Correlation() {
    }

    /** The current request's context; empty outside a request (deployment, the migration job, unit tests). */
    public static Optional<TraceContext> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** The correlation id of the current request (its trace id); a fresh one outside a request. */
    public static String id() {
        return current().orElseGet(TraceContext::generate).traceId();
    }

    /** The context for one outgoing call: the request's trace id with a fresh span id; empty outside a request. */
    public static Optional<TraceContext> outgoing() {
        return current().map(TraceContext::child);
    }

    /** Binds {@code context} to this thread and returns what was bound before, for {@link #restore}. */
    static TraceContext bind(TraceContext context) {
        TraceContext previous = CURRENT.get();
        CURRENT.set(context);
        return previous;
    }

    /** Puts back what {@link #bind} replaced; removes the entry when nothing was bound (server threads are pooled). */
    static void restore(TraceContext previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
