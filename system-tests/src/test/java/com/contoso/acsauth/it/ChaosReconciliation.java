package com.contoso.acsauth.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The end state of a chaos run, judged from the stand-ins' and the store's side: each live ACS identity must be
 * mapped by exactly one user, and each mapping must point at a live identity. Plain data in, findings out, so
 * that a unit test can plant an orphan and a dangling mapping and see them caught.
 *
 * @param orphans          live identities no user is mapped to
 * @param loggedOrphans    those of them a server named in an {@code ORPHAN} or {@code ORPHAN-CANDIDATE} log line
 *                         (the design keeps an identity it cannot prove unmapped, and tells the operator)
 * @param dangling         users (oid) whose mapping points at an identity that is not alive
 * @param sharedIdentities identities more than one user is mapped to
 */
record ChaosReconciliation(Set<String> orphans, Set<String> loggedOrphans, Map<String, String> dangling,
                           Set<String> sharedIdentities, int liveIdentities, int mappings) {

    /**
     * @param live         every identity ACS holds alive (the stand-in is reset before the run: all are the run's)
     * @param mappings     oid -> mapped identity, for every user of the run that has a mapping
     * @param namedInLogs  identities named in the servers' {@code ORPHAN}/{@code ORPHAN-CANDIDATE} lines
     */
    static ChaosReconciliation of(Set<String> live, Map<String, String> mappings, Set<String> namedInLogs) {
        Set<String> orphans = new TreeSet<>(live);
        orphans.removeAll(mappings.values());
        Set<String> logged = orphans.stream().filter(namedInLogs::contains).collect(Collectors.toCollection(TreeSet::new));
        Map<String, String> dangling = new TreeMap<>();
        mappings.forEach((oid, id) -> {
            if (!live.contains(id)) {
                dangling.put(oid, id);
            }
        });
        Map<String, Integer> usersPerIdentity = new HashMap<>();
        mappings.values().forEach(id -> usersPerIdentity.merge(id, 1, Integer::sum));
        Set<String> shared = usersPerIdentity.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        return new ChaosReconciliation(orphans, logged, dangling, shared, live.size(), mappings.size());
    }

    /** Orphans no server log line names: nobody would ever find them. */
    Set<String> silentOrphans() {
        Set<String> silent = new TreeSet<>(orphans);
        silent.removeAll(loggedOrphans);
        return silent;
    }

    /**
     * What is wrong, one line each; empty when the state is consistent. An orphan named in an ORPHAN line is still an
     * orphan: the server retries its clean-up in the background, and the run waits for that before judging.
     */
    List<String> findings() {
        List<String> findings = new ArrayList<>();
        silentOrphans().forEach(id -> findings.add("orphan (alive, mapped by no user, named in no ORPHAN log line): " + id));
        loggedOrphans.forEach(id -> findings.add("orphan (alive, mapped by no user; the server gave up and logged it): " + id));
        dangling.forEach((oid, id) -> findings.add("dangling mapping: oid=" + oid + " -> " + id + ", which is not alive"));
        sharedIdentities.forEach(id -> findings.add("identity mapped by more than one user: " + id));
        return findings;
    }
}
