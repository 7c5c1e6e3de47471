package com.contoso.acsauth.user;

import com.contoso.acsauth.acs.AcsIdentities;
import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.mapping.IdentityMappingStore;
import com.contoso.acsauth.mapping.MappingAlreadyExistsException;
import com.contoso.acsauth.mapping.MappingCache;
import com.contoso.acsauth.mapping.UntrustedMappingException;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The 1:1 mapping from an Entra user to an ACS identity: read, create-or-get, delete. Every partial failure is
 * resolved here so that no ACS identity is orphaned silently and no mapping is left pointing at nothing.
 */
@ApplicationScoped
public class UserIdentities {

    static final String NO_MAPPING = "There is no identity mapping information stored in Microsoft Graph";
    private static final Logger LOG = Logger.getLogger(UserIdentities.class.getName());

    // concurrent requests of one user on this instance are serialised, so they create one identity
    private final UserLocks locks = new UserLocks();
    // the request's (a CDI proxy): no wait for the user's lock goes past it
    @Inject Deadline deadline = Deadline.none();

    private IdentityMappingStore store;
    private AcsIdentities acs;
    private MappingCache cache;
    private IdentityCleanup cleanup;

    protected UserIdentities() {
        // for CDI proxies
    }

    @Inject
    public UserIdentities(IdentityMappingStore store, AcsIdentities acs, MappingCache cache, IdentityCleanup cleanup) {
        this.store = store;
        this.acs = acs;
        this.cache = cache;
        this.cleanup = cleanup;
    }

    /** Outside a container (unit tests): background clean-up on a thread of its own, with the production pauses. */
    public UserIdentities(IdentityMappingStore store, AcsIdentities acs, MappingCache cache) {
        this(store, acs, cache, new IdentityCleanup(java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "test-identity-cleanup");
            thread.setDaemon(true);
            return thread;
        }), IdentityCleanup.FIRST_PAUSE, IdentityCleanup.LONGEST_PAUSE, IdentityCleanup.RETRY_FOR));
    }

    /** The caller's ACS identity; 404 problem when there is no mapping. */
    public String find(Caller caller) {
        return findCachedOrStored(caller).orElseThrow(UserIdentities::noMapping);
    }

    /** Reads the cache first: the steady-state path costs no Graph call. */
    private Optional<String> findCachedOrStored(Caller caller) {
        long generation = cache.generation(caller.key());
        Optional<String> cached = cache.get(caller.key());
        if (cached.isPresent()) {
            return cached;
        }
        Optional<String> stored = store.find(caller);
        // a DELETE that ran while we read must not be undone by caching what we read before it
        stored.ifPresent(id -> cache.putIfUnchanged(caller.key(), id, generation));
        return stored;
    }

    /**
     * ACS no longer knows the identity this instance mapped the caller to (a DELETE that failed after removing the
     * identity, an identity deleted outside this server, or a stale cache entry after a DELETE on another instance).
     * Removes the mapping only if it still points at that identity, so that the next POST creates a working one, and
     * reports a newer mapping another instance stored meanwhile. Best effort: if the store fails now, a later DELETE
     * or this same path finishes it.
     */
    public AfterGone removeDanglingMapping(Caller caller, String goneAcsUserId) {
        Lock lock = locks.acquire(caller, deadline);
        try {
            cache.invalidate(caller.key());
            if (store.deleteIfMappedTo(caller, goneAcsUserId)) {
                cache.invalidate(caller.key());
                return new AfterGone(Optional.empty(), false);
            }
            Optional<String> newer = store.find(caller).filter(id -> !id.equals(goneAcsUserId));
            newer.ifPresent(id -> cache.put(caller.key(), id));
            return new AfterGone(newer, false);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not remove the mapping of oid=" + caller.userId() + " to the deleted identity "
                    + goneAcsUserId + "; DELETE /api/user will", e);
            return new AfterGone(Optional.empty(), true);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the existing mapping, or creates an ACS identity and stores its mapping. Reads the store, never the
     * cache: another instance may have deleted the user, and a create-or-get hands out only what the store holds.
     */
    public CreateOrGet createOrGet(Caller caller) {
        Lock lock = locks.acquire(caller, deadline);
        try {
            Optional<String> existing = store.find(caller);
            if (existing.isPresent()) {
                cache.put(caller.key(), existing.get());
                return new CreateOrGet(existing.get(), false);
            }
            cache.invalidate(caller.key());
            String created = acs.createIdentity();
            return storeMapping(caller, created);
        } finally {
            lock.unlock();
        }
    }

    private CreateOrGet storeMapping(Caller caller, String created) {
        try {
            store.create(caller, created);
            cache.put(caller.key(), created);
            return new CreateOrGet(created, true);
        } catch (MappingAlreadyExistsException raced) {
            return adoptWinner(caller, created, raced);
        } catch (RuntimeException writeFailed) {
            if (landedDespiteFailure(caller, created, writeFailed)) {
                cache.put(caller.key(), created);
                return new CreateOrGet(created, true);
            }
            throw writeFailed;
        }
    }

    /** Another request (another instance, or a retried write of ours) stored a mapping first. */
    private CreateOrGet adoptWinner(Caller caller, String created, MappingAlreadyExistsException raced) {
        Optional<String> winner;
        try {
            winner = store.find(caller);
        } catch (UntrustedMappingException planted) {
            // what is stored is not ours (a signed write of ours would verify), and it is not used either
            deleteOrLogOrphan(created, "found an untrusted mapping in its place");
            throw planted;
        } catch (RuntimeException readFailed) {
            recheckLater(caller, created, "another mapping was stored first and could not be re-read");
            throw readFailed;
        }
        if (winner.isPresent() && winner.get().equals(created)) {
            // our own write landed and a retry of it collided with itself
            cache.put(caller.key(), created);
            return new CreateOrGet(created, true);
        }
        deleteOrLogOrphan(created, "lost the race to store the mapping");
        if (winner.isEmpty()) {
            throw new ProblemException(ProblemType.MAPPING_CONFLICT,
                    "The user's identity mapping exists but holds no usable acsUserIdentity, or was removed while "
                            + "this request ran. DELETE /api/user removes it; then POST /api/user again.", raced);
        }
        cache.put(caller.key(), winner.get());
        return new CreateOrGet(winner.get(), false);
    }

    /**
     * The mapping write failed after the identity was created. The write may have landed even when the final answer
     * was a definite refusal: the store's client retries (Graph's retry handler re-sends after a 504 or 429), so an
     * earlier attempt may have landed before a later one was refused. So every failed write is re-read before the
     * identity is deleted; we never leave a mapping pointing at a deleted identity. If the re-read fails too, keep
     * the identity for now and find out in the background (a dangling mapping breaks the user; an identity kept too
     * long is only a cost, and is logged for an operator if the background never learns the answer).
     *
     * @return whether the mapping was stored after all
     */
    private boolean landedDespiteFailure(Caller caller, String created, RuntimeException writeFailed) {
        try {
            if (store.find(caller).filter(created::equals).isPresent()) {
                return true;
            }
        } catch (UntrustedMappingException notOurs) {
            // a write of ours would verify: ours did not land, so the identity is ours to delete
        } catch (RuntimeException readFailed) {
            recheckLater(caller, created, "the mapping write failed and could not be re-read");
            return false;
        }
        deleteOrLogOrphan(created, "could not be mapped: " + writeFailed.getMessage());
        return false;
    }

    /** Deletes an identity this request created and did not map; if ACS fails now, again in the background. */
    private void deleteOrLogOrphan(String acsUserId, String why) {
        try {
            acs.deleteIdentity(acsUserId);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "deleting acsUserId=" + acsUserId + ", which " + why + ", failed", e);
            cleanup.retryLater("delete acsUserId=" + acsUserId, "ORPHAN acsUserId=" + acsUserId + " " + why
                    + ", and deleting it failed; delete it with the ACS SDK or portal", () -> acs.deleteIdentity(acsUserId));
        }
    }

    /**
     * Whether the identity this request created ended up mapped is unknown (the store could not be read): find out
     * in the background, under the user's lock, and delete the identity unless the user's mapping holds it.
     */
    private void recheckLater(Caller caller, String created, String why) {
        cleanup.retryLater("recheck acsUserId=" + created + " oid=" + caller.userId(), "ORPHAN-CANDIDATE acsUserId="
                + created + " oid=" + caller.userId() + ": " + why + ", nor later; the identity was kept", () -> {
            Lock lock = locks.acquire(caller, deadline);
            try {
                Optional<String> stored;
                try {
                    stored = store.find(caller);
                } catch (UntrustedMappingException notOurs) {
                    stored = Optional.empty(); // a write of ours would verify
                }
                if (stored.filter(created::equals).isEmpty()) {
                    acs.deleteIdentity(created);
                }
            } finally {
                lock.unlock();
            }
        });
    }

    /**
     * Deletes the ACS identity, then the mapping. This order makes every single failure recoverable by retrying:
     * if deleting the identity fails, nothing changed; if deleting the mapping fails, the retry finds the mapping,
     * sees ACS report the identity gone, and removes the mapping. The reverse order (the originals') orphans the
     * identity for good when the second step fails, because nothing points at it any more.
     */
    public void delete(Caller caller) {
        Lock lock = locks.acquire(caller, deadline);
        try {
            cache.invalidate(caller.key());
            Optional<String> mapped = store.find(caller);
            if (mapped.isEmpty()) {
                // a malformed extension (no acsUserIdentity) is still removed, so the user can start over
                if (!store.delete(caller)) {
                    throw noMapping();
                }
                return;
            }
            acs.deleteIdentity(mapped.get());
            store.delete(caller);
            // a GET that read the store while this ran must not cache what was just removed
            cache.invalidate(caller.key());
        } finally {
            lock.unlock();
        }
    }

    private static ProblemException noMapping() {
        return new ProblemException(ProblemType.MAPPING_NOT_FOUND, NO_MAPPING);
    }

    /** The result of create-or-get: the identity and whether this request created it. */
    public record CreateOrGet(String acsUserId, boolean created) {
    }

    /**
     * What the store holds once the caller's identity turned out gone: a newer identity another instance mapped
     * meanwhile, or none; {@code staleMappingKept} when the store failed and the mapping to the gone identity may remain.
     */
    public record AfterGone(Optional<String> newer, boolean staleMappingKept) {
    }
}
