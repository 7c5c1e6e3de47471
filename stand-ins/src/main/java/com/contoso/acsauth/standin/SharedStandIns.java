package com.contoso.acsauth.standin;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Map;

/**
 * One set of stand-ins for all the stand-in test classes of a JVM (and other packages' tests that drive an SDK
 * against them): started on first use, stopped at exit.
 */
public final class SharedStandIns {

    private static StandIns instance;

    private SharedStandIns() {
    }

    public static synchronized StandIns get() {
        if (instance == null) {
            instance = StandIns.start(StandInOptions.randomPorts(Path.of("target/standin-test")));
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "shared-stand-ins-stopper"));
        }
        return instance;
    }

    /** msal4j keeps instance metadata in a JVM-wide map; another test's stand-ins on another port must not leak in. */
    public static void forgetMsalInstanceMetadata() throws ReflectiveOperationException {
        Field cache = Class.forName("com.microsoft.aad.msal4j.AadInstanceDiscoveryProvider").getDeclaredField("cache");
        cache.setAccessible(true);
        ((Map<?, ?>) cache.get(null)).clear();
    }
}
