package com.contoso.acsauth.problem;

import java.security.Principal;

/** A signed-in caller whose Entra object id ({@code oid}) a problem's log line names. */
public interface OidPrincipal extends Principal {

    String oid();
}
