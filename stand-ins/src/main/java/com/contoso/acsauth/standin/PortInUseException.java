package com.contoso.acsauth.standin;

import java.io.IOException;

/** A stand-in's fixed port is taken; the message says which system property moves it. */
public final class PortInUseException extends RuntimeException {

    private final int port;

    PortInUseException(String service, int port, String portProperty, IOException cause) {
        super("Port " + port + " for the " + service + " stand-in is already in use; choose another with -D"
                + portProperty + "=<port>", cause);
        this.port = port;
    }

    public int port() {
        return port;
    }
}
