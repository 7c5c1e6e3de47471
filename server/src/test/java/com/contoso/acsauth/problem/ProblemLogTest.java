package com.contoso.acsauth.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.downstream.DownstreamCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class ProblemLogTest {

    @Test
    void escapeWritesLineBreaksAndControlCharactersVisibly() {
        assertEquals("/api/x\\nSEVERE: ORPHAN", ProblemLog.escape("/api/x\nSEVERE: ORPHAN"));
        assertEquals("a\\rb\\tc", ProblemLog.escape("a\rb\tc"));
        assertEquals("\\u001b[31mred\\u0000\\u007f\\u0085", ProblemLog.escape("\u001b[31mred\u0000\u007f\u0085"));
        assertEquals("line\\u2028sep\\u2029para", ProblemLog.escape("line\u2028sep\u2029para"));
    }

    @Test
    void escapeDoublesBackslashesSoAnEscapeCannotBeFaked() {
        // a literal backslash-n in the request must stay distinguishable from an escaped line break
        assertEquals("a\\\\nb", ProblemLog.escape("a\\nb"));
        assertFalse(ProblemLog.escape("a\\nb").equals(ProblemLog.escape("a\nb")));
    }

    @Test
    void escapeKeepsOrdinaryTextAndNamesNull() {
        assertEquals("/api/user \"quoted\" é 日本", ProblemLog.escape("/api/user \"quoted\" é 日本"));
        assertEquals("-", ProblemLog.escape(null));
        assertEquals("", ProblemLog.escape(""));
    }

    @Test
    void theLogLineOfAForgedRequestStaysOneLine() {
        String line = logLine(() -> ProblemLog.log("urn:uuid:1", "4bf92f3577b34da6a3ce929d0e0e4736", 405,
                ProblemType.METHOD_NOT_ALLOWED, "This resource does not support X\nSEVERE: ORPHAN.",
                null, "X\nSEVERE: ORPHAN", "/api/x\nSEVERE: ORPHAN acsUserId=8:acs:planted\r\u001b[2K",
                Optional.empty(), Optional.empty(), Map.of(), null));

        assertTrue(line.lines().count() == 1 && !line.contains("\r") && !line.contains("\u001b"), line);
        assertTrue(line.contains("path=/api/x\\nSEVERE: ORPHAN acsUserId=8:acs:planted\\r\\u001b[2K"), line);
    }

    @Test
    void theLogLineNamesTheCorrelationIdAndEachDownstreamRequestId() {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("MS-CV", "ZmFrZQ.0");
        ids.put("x-ms-request-id", "0f8fad5b-d9cb-469f-a165-70867728950e");
        String line = logLine(() -> ProblemLog.log("urn:uuid:1", "4bf92f3577b34da6a3ce929d0e0e4736", 502,
                ProblemType.DOWNSTREAM_FAILED, "ACS answered 500.", null, "GET", "/api/token",
                Optional.of(new DownstreamCall(DownstreamCall.Service.ACS, "issueToken")), Optional.of(500), ids, null));

        assertTrue(line.startsWith("request failed: instance=urn:uuid:1 correlationId=4bf92f3577b34da6a3ce929d0e0e4736 "), line);
        assertTrue(line.contains(" downstream=acs.issueToken downstreamStatus=500 MS-CV=ZmFrZQ.0"
                + " x-ms-request-id=0f8fad5b-d9cb-469f-a165-70867728950e "), line);
    }

    @Test
    void aDownstreamIdCannotStartALineOrFakeAnotherField() {
        String line = logLine(() -> ProblemLog.log("urn:uuid:1", "4bf92f3577b34da6a3ce929d0e0e4736", 502,
                ProblemType.DOWNSTREAM_FAILED, "Graph answered 500.", null, "GET", "/api/user", Optional.empty(),
                Optional.empty(), Map.of("request-id", "x oid=victim\"\nSEVERE: ORPHAN"), null));

        assertTrue(line.lines().count() == 1, line);
        assertTrue(line.contains(" request-id=x\\u0020oid=victim\\u0022\\nSEVERE:\\u0020ORPHAN "), line);
    }

    private static String logLine(Runnable logging) {
        Logger logger = Logger.getLogger("com.contoso.acsauth.problem");
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            logging.run();
        } finally {
            logger.removeHandler(capture);
        }
        assertEquals(1, records.size());
        return records.get(0).getMessage();
    }
}
