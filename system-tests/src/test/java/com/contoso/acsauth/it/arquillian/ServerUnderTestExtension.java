package com.contoso.acsauth.it.arquillian;

import org.jboss.arquillian.container.test.impl.client.deployment.AnnotationDeploymentScenarioGenerator;
import org.jboss.arquillian.container.test.spi.client.deployment.DeploymentScenarioGenerator;
import org.jboss.arquillian.core.spi.LoadableExtension;

/**
 * Registered in {@code META-INF/services}: every integration suite deploys the built WAR ({@link BuiltWar}) instead
 * of a {@code @Deployment} of its own, and {@link ServerUnderTest} configures the adapter and keeps that one deployment
 * for the whole run.
 */
public final class ServerUnderTestExtension implements LoadableExtension {

    @Override
    public void register(ExtensionBuilder builder) {
        builder.override(DeploymentScenarioGenerator.class, AnnotationDeploymentScenarioGenerator.class, BuiltWar.class);
        builder.observer(ServerUnderTest.class);
    }
}
