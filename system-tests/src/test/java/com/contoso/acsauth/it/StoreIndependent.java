package com.contoso.acsauth.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A suite whose answers do not depend on the mapping store (token checks, container errors, the Teams exchange,
 * logging, health, quota): it runs once per server, with the Graph store, and the database and PostgreSQL runs
 * leave it out (their failsafe executions exclude the tag), which keeps CI under its time budget.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(StoreIndependent.TAG)
@interface StoreIndependent {
    String TAG = "store-independent";
}
