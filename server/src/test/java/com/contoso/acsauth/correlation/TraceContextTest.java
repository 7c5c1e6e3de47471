package com.contoso.acsauth.correlation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TraceContextTest {

    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String VALID = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    @Test
    void readsAValidVersion00Header() {
        assertEquals(Optional.of(new TraceContext(TRACE_ID, "00f067aa0ba902b7", "01")), TraceContext.parse(VALID));
    }

    @Test
    void readsTheFourFieldsOfAHigherVersionAndIgnoresWhatFollows() {
        assertEquals(Optional.of(new TraceContext(TRACE_ID, "00f067aa0ba902b7", "01")),
                TraceContext.parse("cc-" + TRACE_ID + "-00f067aa0ba902b7-01-what-the-future-adds"));
        assertEquals(Optional.of(new TraceContext(TRACE_ID, "00f067aa0ba902b7", "09")),
                TraceContext.parse("01-" + TRACE_ID + "-00f067aa0ba902b7-09"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "garbage",
            // version ff is invalid, a version must be hex
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            // all-zero trace id or parent id
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            // upper-case hex is not allowed
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
            // wrong lengths, wrong separators
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
            // version 00 has nothing after the flags; a higher version only after a dash
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.extra",
            // flags must be hex
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
            // two headers folded into one
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01,00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    })
    void refusesWhatTheSpecCallsInvalid(String header) {
        assertEquals(Optional.empty(), TraceContext.parse(header));
    }

    @Test
    void refusesNoHeader() {
        assertEquals(Optional.empty(), TraceContext.parse(null));
    }

    @Test
    void aGeneratedContextIsAValidHeaderOfItsOwn() {
        TraceContext generated = TraceContext.generate();

        assertEquals(Optional.of(generated), TraceContext.parse(generated.traceparent()));
        assertTrue(generated.traceId().matches("[0-9a-f]{32}"), generated::toString);
        assertEquals("00", generated.flags(), "not sampled: this server records no trace");
    }

    @Test
    void generatedTraceIdsDiffer() {
        Set<String> ids = IntStream.range(0, 1000).mapToObj(i -> TraceContext.generate().traceId()).collect(Collectors.toSet());

        assertEquals(1000, ids.size());
    }

    @Test
    void aChildKeepsTheTraceAndFlagsWithAFreshSpan() {
        TraceContext parent = TraceContext.parse(VALID).orElseThrow();

        TraceContext child = parent.child();

        assertEquals(TRACE_ID, child.traceId());
        assertEquals("01", child.flags());
        assertNotEquals(parent.parentId(), child.parentId());
        assertTrue(child.traceparent().matches("00-" + TRACE_ID + "-[0-9a-f]{16}-01"), child::traceparent);
    }

    @Test
    void aHigherVersionIsPassedOnAsVersion00() {
        TraceContext read = TraceContext.parse("cc-" + TRACE_ID + "-00f067aa0ba902b7-01-more").orElseThrow();

        assertEquals(VALID, read.traceparent());
    }

    @Test
    void theTraceIdAsAGuid() {
        assertEquals("4bf92f35-77b3-4da6-a3ce-929d0e0e4736", TraceContext.parse(VALID).orElseThrow().traceIdAsGuid());
    }
}
