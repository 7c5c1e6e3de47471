package com.contoso.acsauth.user;

import com.contoso.acsauth.mapping.IdentityMappingStore;
import com.contoso.acsauth.mapping.MappingAlreadyExistsException;
import com.contoso.acsauth.mapping.UntrustedMappingException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.security.Caller;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory mapping store whose next operations can be made to fail, like Graph can. */
class FakeMappingStore implements IdentityMappingStore {

    final Map<String, String> mappings = new ConcurrentHashMap<>();
    final AtomicInteger finds = new AtomicInteger();
    final AtomicInteger creates = new AtomicInteger();
    final AtomicInteger deletes = new AtomicInteger();
    final Deque<ProblemException> findFailures = new ArrayDeque<>();
    final Deque<ProblemException> createFailures = new ArrayDeque<>();
    final Deque<ProblemException> deleteFailures = new ArrayDeque<>();
    /** When set, create() stores the mapping and then fails: the write landed but the answer was lost. */
    ProblemException failAfterWrite;
    /** When set, a concurrent writer stores this id just before our create() arrives. */
    String concurrentWinner;
    /** Users whose stored mapping was written by someone else (a user with Graph Explorer): find() refuses it. */
    final Set<String> planted = ConcurrentHashMap.newKeySet();
    /** When set, a user plants a mapping just before our create() arrives. */
    boolean plantBeforeCreate;
    /** When set, runs (once) just before a delete reaches the store: another instance changing the mapping meanwhile. */
    Runnable beforeNextDelete;

    @Override
    public void start() {
        // nothing to connect
    }

    @Override
    public synchronized Optional<String> find(Caller caller) {
        finds.incrementAndGet();
        if (!findFailures.isEmpty()) {
            throw findFailures.pop();
        }
        if (planted.contains(caller.userId())) {
            throw new UntrustedMappingException(ProblemType.MAPPING_TAMPERED, "not written by this server");
        }
        return Optional.ofNullable(mappings.get(caller.userId()));
    }

    @Override
    public synchronized void create(Caller caller, String acsUserId) {
        creates.incrementAndGet();
        if (concurrentWinner != null) {
            mappings.put(caller.userId(), concurrentWinner);
            concurrentWinner = null;
        }
        if (plantBeforeCreate) {
            mappings.put(caller.userId(), "8:acs:planted");
            planted.add(caller.userId());
            plantBeforeCreate = false;
        }
        if (!createFailures.isEmpty()) {
            throw createFailures.pop();
        }
        if (mappings.containsKey(caller.userId())) {
            throw new MappingAlreadyExistsException("exists", null);
        }
        mappings.put(caller.userId(), acsUserId);
        if (failAfterWrite != null) {
            ProblemException failure = failAfterWrite;
            failAfterWrite = null;
            throw failure;
        }
    }

    @Override
    public synchronized boolean delete(Caller caller) {
        deletes.incrementAndGet();
        runBeforeNextDelete();
        if (!deleteFailures.isEmpty()) {
            throw deleteFailures.pop();
        }
        planted.remove(caller.userId());
        return mappings.remove(caller.userId()) != null;
    }

    @Override
    public synchronized boolean deleteIfMappedTo(Caller caller, String acsUserId) {
        deletes.incrementAndGet();
        runBeforeNextDelete();
        if (!deleteFailures.isEmpty()) {
            throw deleteFailures.pop();
        }
        return mappings.remove(caller.userId(), acsUserId);
    }

    void runBeforeNextDelete() {
        Runnable hook = beforeNextDelete;
        beforeNextDelete = null;
        if (hook != null) {
            hook.run();
        }
    }
}
