package com.contoso.acsauth.downstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void waitsThatDoNotFitAreRefusedAndCallsAreCutToWhatIsLeft() {
        Deadline deadline = Deadline.after(Duration.ofSeconds(10), Duration.ofSeconds(5));

        assertTrue(deadline.allowsWait(Duration.ofSeconds(1)));
        assertFalse(deadline.allowsWait(Duration.ofSeconds(120)));
        assertEquals(Duration.ofSeconds(2), deadline.cut(Duration.ofSeconds(2)));
        assertTrue(deadline.cut(Duration.ofSeconds(60)).compareTo(Duration.ofSeconds(10)) <= 0);
    }

    @Test
    void oncePassedNoWaitFitsAndACleanUpCallGetsOneAttempt() {
        Deadline passed = Deadline.after(Duration.ZERO, Duration.ofSeconds(5));

        assertEquals(Duration.ZERO, passed.remaining());
        assertFalse(passed.allowsWait(Duration.ofMillis(1)));
        assertEquals(Duration.ofSeconds(5), passed.callBudget());
        assertEquals(Duration.ofSeconds(3), passed.cut(Duration.ofSeconds(3)));
    }

    @Test
    void noDeadlineLeavesTheClientsTimeoutsAlone() {
        assertEquals(Duration.ofSeconds(30), Deadline.none().cut(Duration.ofSeconds(30)));
        assertTrue(Deadline.none().allowsWait(Duration.ofSeconds(180)));
    }

    @Test
    void retryAfterIsReadInSecondsOrAsADate() {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");

        assertEquals(Optional.of(Duration.ofSeconds(120)), RetryAfter.of("120", now));
        assertEquals(Optional.of(Duration.ofMillis(1500)), RetryAfter.of("1.5", now));
        assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.of("Tue, 01 Dec 2026 10:01:30 GMT", now));
        assertEquals(Optional.empty(), RetryAfter.of("soon", now));
        assertEquals(Optional.of(Duration.ofMillis(250)), RetryAfter.of(null, "250", "120", now),
                "azure-core reads x-ms-retry-after-ms first");
    }
}
