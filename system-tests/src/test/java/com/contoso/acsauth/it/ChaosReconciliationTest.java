package com.contoso.acsauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ChaosIT's judgement of the end state, with planted faults: it must catch each one. */
class ChaosReconciliationTest {

    @Test
    void aConsistentStateHasNoFindings() {
        ChaosReconciliation state = ChaosReconciliation.of(Set.of("a", "b"), Map.of("u1", "a", "u2", "b"), Set.of());

        assertEquals(List.of(), state.findings());
        assertEquals(Set.of(), state.orphans());
    }

    @Test
    void aLiveIdentityNoUserIsMappedToIsAnOrphan() {
        ChaosReconciliation state = ChaosReconciliation.of(Set.of("a", "planted"), Map.of("u1", "a"), Set.of());

        assertEquals(Set.of("planted"), state.silentOrphans());
        assertEquals(1, state.findings().size(), state.findings()::toString);
        assertTrue(state.findings().get(0).contains("planted"));
    }

    @Test
    void anOrphanTheServerLoggedIsNotSilentButStillAnOrphan() {
        ChaosReconciliation state = ChaosReconciliation.of(Set.of("a", "kept"), Map.of("u1", "a"), Set.of("kept", "other"));

        assertEquals(Set.of("kept"), state.orphans());
        assertEquals(Set.of("kept"), state.loggedOrphans());
        assertEquals(Set.of(), state.silentOrphans());
        assertEquals(List.of("orphan (alive, mapped by no user; the server gave up and logged it): kept"), state.findings());
    }

    @Test
    void aMappingToAnIdentityThatIsNotAliveIsDangling() {
        ChaosReconciliation state = ChaosReconciliation.of(Set.of("a"), Map.of("u1", "a", "u2", "deleted"), Set.of());

        assertEquals(Map.of("u2", "deleted"), state.dangling());
        assertEquals(1, state.findings().size(), state.findings()::toString);
    }

    @Test
    void twoUsersMappedToOneIdentityAreCaught() {
        ChaosReconciliation state = ChaosReconciliation.of(Set.of("a"), Map.of("u1", "a", "u2", "a"), Set.of());

        assertEquals(Set.of("a"), state.sharedIdentities());
        assertEquals(1, state.findings().size(), state.findings()::toString);
    }
}
