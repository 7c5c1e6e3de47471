package com.contoso.acsauth.downstream;

/** A downstream call failed and the request's {@link Deadline} leaves no time to retry it: a timeout for the caller. */
public class DeadlineReachedException extends RuntimeException {

    public DeadlineReachedException(String message) {
        super(message);
    }
}
