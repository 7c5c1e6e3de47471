package com.contoso.acsauth.correlation;

import com.contoso.acsauth.problem.RequestCorrelation;

/** The current request's trace id for the problem responses; registered in {@code META-INF/services}. */
public final class CurrentCorrelation implements RequestCorrelation {

    @Override
    public String id() {
        return Correlation.id();
    }
}
