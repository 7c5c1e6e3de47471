package com.contoso.acsauth.mapping;

import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;

/**
 * A stored mapping this server cannot prove it wrote (tampered or unsigned). It is never used: not to answer, not to
 * issue a token, not to delete an identity. Its problem tells the caller which case it is and what to do next.
 */
public class UntrustedMappingException extends ProblemException {

    public UntrustedMappingException(ProblemType type, String detail) {
        super(type, detail);
    }
}
