package com.contoso.acsauth.standin;

import java.nio.file.Path;

/** One set of stand-ins for all the stand-in test classes of a JVM: started on first use, stopped at exit. */
final class SharedStandIns {

    private static StandIns instance;

    private SharedStandIns() {
    }

    static synchronized StandIns get() {
        if (instance == null) {
            instance = StandIns.start(StandInOptions.randomPorts(Path.of("target/standin-test")));
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "shared-stand-ins-stopper"));
        }
        return instance;
    }
}
