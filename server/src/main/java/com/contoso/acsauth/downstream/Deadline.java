package com.contoso.acsauth.downstream;

import java.time.Duration;

/**
 * When the current request must be answered (REQUEST_DEADLINE_SECONDS). No wait of the request goes past it: not a
 * retry's back-off, not a downstream's {@code Retry-After}, not the user's lock; each downstream call is cut to what
 * is left. Once it has passed, a call still gets one attempt of {@link #cleanUpAllowance()}: after a failure the only
 * calls left are clean-up steps (re-reading a mapping, deleting the identity the request created), and a deadline
 * must never orphan an identity.
 */
public interface Deadline {

    /** What is left; zero once the deadline has passed. */
    Duration remaining();

    /** How long one call may take once the deadline has passed (one attempt, no retry). */
    Duration cleanUpAllowance();

    /** Whether waiting {@code wait} before a retry still leaves time for the retry itself. */
    default boolean allowsWait(Duration wait) {
        return wait.compareTo(remaining()) < 0;
    }

    /** How long a call (all its attempts) may still take. */
    default Duration callBudget() {
        Duration left = remaining();
        return left.isZero() ? cleanUpAllowance() : left;
    }

    /** A client's own timeout, cut to the {@link #callBudget()}. */
    default Duration cut(Duration timeout) {
        Duration budget = callBudget();
        return budget.compareTo(timeout) < 0 ? budget : timeout;
    }

    /** A deadline {@code budget} from now. */
    static Deadline after(Duration budget, Duration cleanUpAllowance) {
        return new Fixed(System.nanoTime() + budget.toNanos(), cleanUpAllowance);
    }

    /** No request deadline (work outside a request, hand-built controls in unit tests): the clients' timeouts alone. */
    static Deadline none() {
        // long enough to never matter, short enough for every client's millisecond arithmetic
        Duration unbounded = Duration.ofDays(1);
        return new Fixed(System.nanoTime() + unbounded.toNanos(), unbounded);
    }

    /** This deadline as a plain value, safe to hand to an SDK (the request-scoped one is a CDI proxy). */
    default Deadline fixed() {
        return new Fixed(System.nanoTime() + remaining().toNanos(), cleanUpAllowance());
    }

    /** A deadline at a point of {@link System#nanoTime()}. */
    record Fixed(long endNanos, Duration cleanUpAllowance) implements Deadline {

        @Override
        public Duration remaining() {
            return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
        }
    }
}
