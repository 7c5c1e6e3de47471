package com.contoso.acsauth.standin;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every request every stand-in received, in arrival order, including rejected and faulted ones. Thread-safe. */
public final class CallLog {

    private final List<Call> calls = new CopyOnWriteArrayList<>();

    public int count(Operation op) {
        return (int) calls.stream().filter(c -> c.operation() == op).count();
    }

    public int total() {
        return calls.size();
    }

    /** A snapshot, oldest first. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** A snapshot of the calls of one operation, oldest first. */
    public List<Call> calls(Operation op) {
        return calls.stream().filter(c -> c.operation() == op).toList();
    }

    public void clear() {
        calls.clear();
    }

    void record(Call call) {
        calls.add(call);
    }
}
