package com.contoso.acsauth.user;

import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import com.contoso.acsauth.security.UserKey;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per user (issuer and {@code oid} or {@code sub}), so that concurrent requests of one user on this
 * instance create one identity while other users never queue behind them. A lock is weakly held: once no request holds or waits for it,
 * it is collected. A request waits for its user's lock no longer than its deadline.
 */
final class UserLocks {

    /** The busy request ends by its own deadline; a second is a fair first guess for the retry. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final Cache<UserKey, ReentrantLock> locks = Caffeine.newBuilder().weakValues().build();

    /** The caller's lock, held; unlock it in a {@code finally}. */
    Lock acquire(Caller caller, Deadline deadline) {
        // the local reference keeps the lock from being collected while this request holds or waits for it
        ReentrantLock lock = locks.get(caller.key(), key -> new ReentrantLock());
        try {
            if (lock.tryLock(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS)) {
                return lock;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new ProblemException(ProblemType.USER_BUSY, "Another request of this user is still changing or reading "
                + "the user's identity on this server and did not finish within this request's deadline; retry after "
                + "the time in Retry-After.").header("Retry-After", RETRY_AFTER_SECONDS);
    }

    /** How many users have a lock right now (held, waited for, or not yet collected). */
    long size() {
        locks.cleanUp();
        return locks.estimatedSize();
    }

}
