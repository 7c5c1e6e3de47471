package com.contoso.acsauth.problem;

/**
 * The correlation id of the request being answered, which every problem carries. The correlation package provides
 * it through {@code META-INF/services}, so that this package imports none of the others.
 */
public interface RequestCorrelation {

    String id();
}
