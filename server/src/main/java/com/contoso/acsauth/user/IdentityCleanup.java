package com.contoso.acsauth.user;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.RequestContextController;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Finishes in the background the clean-up a request could not: deleting an ACS identity it created but could not
 * map, or re-reading a mapping to learn whether that identity is mapped after all. Without it, a downstream that fails
 * at the very moment a request cleans up (the chaos run injects exactly that) leaves an orphan for an operator. Each
 * step is retried with a growing pause for up to {@link #RETRY_FOR}; only then is its {@code ORPHAN} line logged.
 * Steps live in memory: those still pending when the application stops are logged the same way at once.
 */
@ApplicationScoped
public class IdentityCleanup {

    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(10);
    static final Duration RETRY_FOR = Duration.ofMinutes(10);
    private static final Logger LOG = Logger.getLogger(IdentityCleanup.class.getName());

    private final Map<Step, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    private Duration firstPause = FIRST_PAUSE;
    private Duration longestPause = LONGEST_PAUSE;
    private Duration retryFor = RETRY_FOR;
    private ScheduledExecutorService scheduler;
    private boolean ownScheduler;
    // the SDK clients read the request's deadline, a request-scoped bean: each step runs in a request context of its own
    @Inject Instance<RequestContextController> requestContexts;

    public IdentityCleanup() {
        // for CDI
    }

    /** For unit tests: short pauses on the given scheduler, outside CDI. */
    IdentityCleanup(ScheduledExecutorService scheduler, Duration firstPause, Duration longestPause, Duration retryFor) {
        this.scheduler = scheduler;
        this.firstPause = firstPause;
        this.longestPause = longestPause;
        this.retryFor = retryFor;
    }

    @PostConstruct
    void start() {
        scheduler = managedScheduler().orElseGet(() -> {
            ownScheduler = true;
            return Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "acs-auth-identity-cleanup");
                thread.setDaemon(true);
                return thread;
            });
        });
    }

    /** The platform's scheduler where it has one (Liberty only with a concurrent feature); else our own thread. */
    private static Optional<ScheduledExecutorService> managedScheduler() {
        try {
            return Optional.of((ScheduledExecutorService) new InitialContext()
                    .lookup("java:comp/DefaultManagedScheduledExecutorService"));
        } catch (NamingException | RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /**
     * Runs {@code attempt} again later until it returns normally, pausing 1, 2, 4, 8, then 10 s between tries.
     *
     * @param what       for the log, e.g. {@code delete acsUserId=...}
     * @param orphanLine logged (SEVERE) if the step never succeeds: the operator's cue
     */
    public void retryLater(String what, String orphanLine, Runnable attempt) {
        Step step = new Step(what, orphanLine, attempt, System.nanoTime());
        LOG.warning(() -> "ORPHAN-PENDING " + what + ": retrying in the background for up to " + retryFor.toMinutes()
                + " min before giving up");
        schedule(step, firstPause);
    }

    private void schedule(Step step, Duration pause) {
        try {
            pending.put(step, scheduler.schedule(() -> run(step, pause), pause.toMillis(), TimeUnit.MILLISECONDS));
        } catch (RuntimeException rejected) {
            // the scheduler is shutting down with the application
            pending.remove(step);
            LOG.severe(step.orphanLine() + " (the server stopped before the clean-up could be retried)");
        }
    }

    private void run(Step step, Duration pause) {
        try {
            inRequestContext(step.attempt());
            pending.remove(step);
            LOG.info(() -> "ORPHAN-RESOLVED " + step.what() + ": the background clean-up succeeded");
        } catch (RuntimeException failed) {
            Duration next = pause.multipliedBy(2).compareTo(longestPause) > 0 ? longestPause : pause.multipliedBy(2);
            if (Duration.ofNanos(System.nanoTime() - step.startedNanos()).plus(next).compareTo(retryFor) > 0) {
                pending.remove(step);
                LOG.log(Level.SEVERE, step.orphanLine() + " (gave up after retrying for " + retryFor.toMinutes()
                        + " min)", failed);
                return;
            }
            LOG.log(Level.FINE, "clean-up step failed, retrying: " + step.what(), failed);
            schedule(step, next);
        }
    }

    private void inRequestContext(Runnable attempt) {
        RequestContextController context = requestContexts == null ? null : requestContexts.get();
        boolean activated = context != null && context.activate();
        try {
            attempt.run();
        } finally {
            if (activated) {
                context.deactivate();
            }
            if (context != null) {
                requestContexts.destroy(context);
            }
        }
    }

    /** How many steps wait for their next try. */
    int pending() {
        return pending.size();
    }

    @PreDestroy
    void stop() {
        pending.forEach((step, future) -> {
            future.cancel(false);
            LOG.severe(step.orphanLine() + " (the server stopped before the clean-up succeeded)");
        });
        pending.clear();
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
    }

    private record Step(String what, String orphanLine, Runnable attempt, long startedNanos) {
    }
}
