package com.contoso.acsauth.it.runtime;

/** The server exited, its deployment failed, or it did not become ready in time; the message ends with its log. */
public final class ServerStartException extends RuntimeException {

    private final boolean stalled;

    public ServerStartException(String message) {
        this(message, false);
    }

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
        this.stalled = false;
    }

    ServerStartException(String message, boolean stalled) {
        super(message);
        this.stalled = stalled;
    }

    /** The boot hung: no log output for {@code it.stallSeconds} before it was ready (a thread dump is in its log). */
    public boolean stalled() {
        return stalled;
    }
}
