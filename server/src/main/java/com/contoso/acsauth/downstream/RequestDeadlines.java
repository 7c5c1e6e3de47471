package com.contoso.acsauth.downstream;

import com.contoso.acsauth.downstream.DownstreamSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Produces;

/**
 * Each request's {@link Deadline}, counted from the request's first use of it: its first downstream call or its wait
 * for the user's lock (token validation before that has its own timeouts).
 */
@ApplicationScoped
public class RequestDeadlines {

    @Produces
    @RequestScoped
    Deadline requestDeadline(DownstreamSettings settings) {
        return Deadline.after(settings.requestDeadline(), settings.timeout());
    }
}
