package com.contoso.acsauth.problem;

import com.contoso.acsauth.downstream.DownstreamCall;
import java.security.Principal;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import com.contoso.acsauth.security.Caller;

/**
 * Writes the single log line of a failed request: the problem's {@code instance} id, the caller's {@code oid}, the
 * downstream operation and its status. Stack traces go here (for 5xx and downstream failures), never to the caller.
 * Tokens never appear: only claims that identify the user are logged.
 */
public final class ProblemLog {

    private static final Logger LOG = Logger.getLogger("com.contoso.acsauth.problem");

    private ProblemLog() {
    }

    public static String newInstance() {
        return "urn:uuid:" + UUID.randomUUID();
    }

    public static void log(String instance, int status, ProblemType type, String detail, Principal principal,
                           String method, String path, Optional<DownstreamCall> downstream,
                           Optional<Integer> downstreamStatus, Throwable cause) {
        String line = "request failed: instance=" + instance + " status=" + status + " type=" + type.name()
                + " method=" + method + " path=" + path + " oid=" + oidOf(principal)
                + downstream.map(d -> " downstream=" + d).orElse("")
                + downstreamStatus.map(s -> " downstreamStatus=" + s).orElse("")
                + " detail=\"" + detail + "\"";
        boolean serverSide = status >= 500 || downstream.isPresent();
        Level level = status >= 500 ? Level.SEVERE : serverSide ? Level.WARNING : Level.INFO;
        if (serverSide && cause != null) {
            LOG.log(level, line, cause);
        } else {
            LOG.log(level, line);
        }
    }

    private static String oidOf(Principal principal) {
        return principal instanceof Caller caller ? caller.oid() : "-";
    }
}
