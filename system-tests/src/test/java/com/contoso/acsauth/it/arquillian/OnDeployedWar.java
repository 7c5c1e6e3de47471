package com.contoso.acsauth.it.arquillian;

import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An integration suite: run by Arquillian JUnit 5 against the built WAR deployed on the server under test
 * ({@link ServerUnderTest}), which the suite reaches through {@code DeployedServer.get()}. Skipped where this run's
 * server cannot run ({@link ServerAvailable}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith({ServerAvailable.class, ArquillianExtension.class})
public @interface OnDeployedWar {
}
