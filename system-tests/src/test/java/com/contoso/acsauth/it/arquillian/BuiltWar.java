package com.contoso.acsauth.it.arquillian;

import com.contoso.acsauth.it.DeployedServer;

import org.jboss.arquillian.container.spi.client.deployment.DeploymentDescription;
import org.jboss.arquillian.container.test.spi.client.deployment.DeploymentScenarioGenerator;
import org.jboss.arquillian.test.spi.TestClass;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.util.List;

/**
 * The deployment of every suite: the WAR Maven built ({@code it.war}), exactly as users deploy it, not an archive
 * assembled per test, as {@code ROOT.war} (the root context on every server). The suites talk HTTP to it from outside
 * (not testable: nothing is added to the archive).
 */
public final class BuiltWar implements DeploymentScenarioGenerator {

    static final String NAME = "acs-auth-server";

    private static WebArchive archive;

    @Override
    public List<DeploymentDescription> generate(TestClass testClass) {
        return List.of(new DeploymentDescription(NAME, archive()).shouldBeTestable(false).shouldBeManaged(true));
    }

    static synchronized WebArchive archive() {
        if (archive == null) {
            archive = ShrinkWrap.create(ZipImporter.class, "ROOT.war").importFrom(DeployedServer.war().toFile()).as(WebArchive.class);
        }
        return archive;
    }
}
