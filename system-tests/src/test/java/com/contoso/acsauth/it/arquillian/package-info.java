/**
 * The integration suite on Arquillian JUnit 5: the server under test is booted by its container adapter (Payara Micro,
 * Open Liberty or WildFly, managed or remote), configured from the harness ({@code it.DeployedServer},
 * {@code it.runtime}), with the built WAR deployed once per run and shared by every suite.
 */
package com.contoso.acsauth.it.arquillian;
