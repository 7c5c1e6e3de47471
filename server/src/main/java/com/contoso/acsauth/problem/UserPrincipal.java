package com.contoso.acsauth.problem;

import java.security.Principal;

/** A signed-in caller whose user id ({@code oid}, or {@code sub} for other issuers) a problem's log line names. */
public interface UserPrincipal extends Principal {

    String userId();

    /** The configured issuer the user signed in with ({@code entra} for the workforce tenant). */
    String issuerName();
}
