package com.contoso.acsauth.it.runtime;

/** The server exited, its deployment failed, or it did not become ready in time; the message ends with its log. */
public final class ServerStartException extends RuntimeException {

    public ServerStartException(String message) {
        super(message);
    }

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
