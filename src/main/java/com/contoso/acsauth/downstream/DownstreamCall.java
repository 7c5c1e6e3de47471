package com.contoso.acsauth.downstream;

/** A named operation on a downstream service, e.g. {@code acs issueToken}; used in problems and log lines. */
public record DownstreamCall(Service service, String operation) {

    public enum Service {
        ENTRA_ID("Entra ID"), GRAPH("Microsoft Graph"), ACS("Azure Communication Services"),
        DATABASE("the identity mapping database");

        private final String displayName;

        Service(String displayName) {
            this.displayName = displayName;
        }

        public String displayName() {
            return displayName;
        }
    }

    @Override
    public String toString() {
        return service.name().toLowerCase(java.util.Locale.ROOT) + "." + operation;
    }
}
