package com.contoso.acsauth.problem;

/** A call to a downstream service as a problem's log line names it, e.g. {@code acs.issueToken}. */
public interface DownstreamOperation {

    String logName();
}
