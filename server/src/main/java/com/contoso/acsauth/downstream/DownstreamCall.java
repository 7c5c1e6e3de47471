package com.contoso.acsauth.downstream;

import com.contoso.acsauth.problem.DownstreamOperation;

/** A named operation on a downstream service, e.g. {@code acs issueToken}; used in problems and log lines. */
public record DownstreamCall(Service service, String operation) implements DownstreamOperation {

    public enum Service {
        ENTRA_ID("Entra ID"), GRAPH("Microsoft Graph"), ACS("Azure Communication Services"),
        DATABASE("the identity mapping database"),
        /** A trusted token issuer other than Entra ID workforce (External ID, B2C, an OpenID Connect provider). */
        TOKEN_ISSUER("the token issuer");

        private final String displayName;

        Service(String displayName) {
            this.displayName = displayName;
        }

        public String displayName() {
            return displayName;
        }
    }

    @Override
    public String logName() {
        return service.name().toLowerCase(java.util.Locale.ROOT) + "." + operation;
    }

    @Override
    public String toString() {
        return logName();
    }
}
