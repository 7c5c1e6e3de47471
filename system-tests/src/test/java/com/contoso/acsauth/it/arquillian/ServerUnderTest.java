package com.contoso.acsauth.it.arquillian;

import com.contoso.acsauth.it.DeployedServer;
import com.contoso.acsauth.it.runtime.AdapterSetup;

import org.jboss.arquillian.container.spi.Container;
import org.jboss.arquillian.container.spi.ContainerRegistry;
import org.jboss.arquillian.container.spi.event.DeployManagedDeployments;
import org.jboss.arquillian.container.spi.event.SetupContainers;
import org.jboss.arquillian.container.spi.event.StartSuiteContainers;
import org.jboss.arquillian.container.spi.event.UnDeployManagedDeployments;
import org.jboss.arquillian.core.api.Instance;
import org.jboss.arquillian.core.api.annotation.Inject;
import org.jboss.arquillian.core.api.annotation.Observes;
import org.jboss.arquillian.core.spi.EventContext;

import java.time.Duration;
import java.util.List;

/**
 * The server under test, once per run (one failsafe JVM per mapping store), as the harness had it:
 * <ul>
 * <li>before the adapter is set up, {@link DeployedServer#prepareForAdapter} starts the stand-ins (and PostgreSQL,
 * Keycloak), prepares the server's files and settings, and its properties become the adapter's configuration, so
 * arquillian.xml names only the container;</li>
 * <li>the first suite deploys the WAR, every later suite finds it deployed: Arquillian deploys per test class, which on
 * Payara Micro (whose adapter boots a server per deployment) would mean a boot per suite;</li>
 * <li>a boot that hangs ({@link BootWatch}) gets a thread dump and one more try, as the harness's boots do;</li>
 * <li>the start-up time (container start and deployment) and the server's resident memory are printed as the
 * harness prints them ({@code [payara6] ready at ... in 7.5 s, server RSS 333 MB}), which .ci/run's summary quotes.</li>
 * </ul>
 * In remote mode ({@code it.arquillian.mode=remote}) the server is the user's: nothing is prepared or booted, and the
 * remote adapter deploys the WAR per suite as Arquillian does, so the server is left as it was found
 * (docs/testing.md "Arquillian").
 */
public final class ServerUnderTest {

    @Inject
    private Instance<ContainerRegistry> registry;

    private AdapterSetup setup;
    private long bootStarted;
    private boolean deployed;
    private RuntimeException deployFailure;

    static boolean remote() {
        return "remote".equals(System.getProperty("it.arquillian.mode", "managed"));
    }

    public void configure(@Observes EventContext<SetupContainers> event) {
        if (remote()) {
            DeployedServer.prepareForRemote();
        } else {
            setup = DeployedServer.prepareForAdapter();
            for (Container<?> container : containers()) {
                setup.properties().forEach((name, value) -> container.getContainerConfiguration().overrideProperty(name, value));
            }
        }
        event.proceed();
    }

    public void timeBoot(@Observes(precedence = 10) EventContext<StartSuiteContainers> event) {
        bootStarted = System.nanoTime();
        event.proceed();
    }

    public void deployOnce(@Observes EventContext<DeployManagedDeployments> event) {
        if (deployFailure != null) {
            throw new IllegalStateException("the WAR failed to deploy earlier in this run", deployFailure);
        }
        if (deployed && !remote()) {
            return; // still deployed: see the class comment
        }
        try {
            if (setup == null) {
                event.proceed();
            } else {
                try (BootWatch watch = BootWatch.start(setup)) {
                    try {
                        event.proceed();
                    } catch (Exception e) { // the adapter's DeploymentException is checked, and Arquillian rethrows it as it is
                        if (!watch.stalled()) {
                            throw e;
                        }
                        // a hung boot of the server itself, not of our WAR (Payara Micro 7's HK2 start-up deadlock):
                        // the dump is kept beside its log; what is left of that JVM goes, and the adapter boots anew
                        System.out.println("[" + DeployedServer.runtimeNameOfRun() + "] boot stalled (" + watch.report()
                                + "): deploying once more");
                        DeployedServer.stopAdapterServer();
                        watch.restart();
                        redeploy();
                    }
                }
            }
            if (!deployed) {
                deployed = true;
                DeployedServer.adapterDeployed(Duration.ofNanos(System.nanoTime() - bootStarted));
            }
        } catch (Exception e) {
            deployFailure = e instanceof RuntimeException unchecked ? unchecked : new IllegalStateException(e.getMessage(), e);
            DeployedServer.adapterFailed(deployFailure);
            throw e;
        }
    }

    /** The retry: straight to the adapter, whose deployment Arquillian already counts as failed. */
    private void redeploy() {
        try {
            containers().get(0).getDeployableContainer().deploy(BuiltWar.archive());
        } catch (Exception e) {
            throw new IllegalStateException("the second deployment failed too", e);
        }
    }

    /**
     * Never per suite: the deployment lasts the run. At its end Arquillian stops Liberty and WildFly with it deployed;
     * Payara Micro's adapter stops its server only in undeploy, so the JVM's shutdown hooks end it (its own and
     * DeployedServer's).
     */
    public void keepDeployed(@Observes EventContext<UnDeployManagedDeployments> event) {
        if (remote()) {
            event.proceed(); // the user's server: left as it was found after every suite
        }
    }

    private List<Container> containers() {
        @SuppressWarnings({"rawtypes", "unchecked"})
        List<Container> all = (List) registry.get().getContainers();
        if (all.size() != 1) {
            throw new IllegalStateException("arquillian.xml must name exactly one container (the server under test), not " + all.size());
        }
        return all;
    }
}
