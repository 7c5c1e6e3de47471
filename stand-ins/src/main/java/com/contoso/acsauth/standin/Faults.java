package com.contoso.acsauth.standin;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Faults armed per operation. Several faults on one operation apply in the order injected: a {@code times(n)} fault
 * is used up before the next one starts; a {@code share} fault stays until {@link #clear()}. Several share faults in a
 * row on one operation each count every call and hit their own share; a call two of them hit gets the first one
 * (a chaos run mixes 5xx, 429, latency and drops on one operation). Thread-safe.
 */
public final class Faults {

    private final Map<Operation, List<Armed>> armed = new EnumMap<>(Operation.class);
    private final Map<Operation, Map<Fault.Kind, Integer>> injected = new EnumMap<>(Operation.class);

    public synchronized void inject(Operation op, Fault fault) {
        armed.computeIfAbsent(op, o -> new ArrayList<>()).add(new Armed(fault));
    }

    /** Disarms every fault; the counts of {@link #injected()} stay until {@link #resetCounts()}. */
    public synchronized void clear() {
        armed.clear();
    }

    /** How many calls each kind of fault hit, per operation, since the last {@link #resetCounts()}. */
    public synchronized Map<Operation, Map<Fault.Kind, Integer>> injected() {
        Map<Operation, Map<Fault.Kind, Integer>> copy = new EnumMap<>(Operation.class);
        injected.forEach((op, kinds) -> copy.put(op, Map.copyOf(kinds)));
        return copy;
    }

    public synchronized void resetCounts() {
        injected.clear();
    }

    public synchronized void clear(Operation op) {
        armed.remove(op);
    }

    /** The fault that applies to this call of {@code op}, consuming it. */
    synchronized Optional<Fault> next(Operation op) {
        Optional<Fault> fault = armed(op);
        fault.ifPresent(f -> injected.computeIfAbsent(op, o -> new EnumMap<>(Fault.Kind.class)).merge(f.kind(), 1, Integer::sum));
        return fault;
    }

    private Optional<Fault> armed(Operation op) {
        List<Armed> faults = armed.get(op);
        if (faults == null) {
            return Optional.empty();
        }
        while (!faults.isEmpty()) {
            Armed first = faults.get(0);
            if (first.fault.share() > 0) {
                Optional<Fault> hit = Optional.empty();
                for (Armed shared : faults) {
                    if (shared.fault.share() == 0) {
                        break;
                    }
                    if (shared.hitsNextCall() && hit.isEmpty()) {
                        hit = Optional.of(shared.fault);
                    }
                }
                return hit;
            }
            if (first.remaining > 0) {
                first.remaining--;
                if (first.remaining == 0) {
                    faults.remove(0);
                }
                return Optional.of(first.fault);
            }
            faults.remove(0);
        }
        return Optional.empty();
    }

    private static final class Armed {
        final Fault fault;
        int remaining;
        long seen;

        Armed(Fault fault) {
            this.fault = fault;
            this.remaining = fault.times();
        }

        // call n is hit when floor(n * share) steps up: share 0.5 hits calls 2, 4, 6 ...
        boolean hitsNextCall() {
            long before = (long) Math.floor(seen * fault.share());
            seen++;
            return (long) Math.floor(seen * fault.share()) > before;
        }
    }
}
