package com.contoso.acsauth.standin;

import java.nio.file.Path;

/**
 * Where the stand-ins listen (0 = any free port) and where they keep their certificates and key stores.
 * A work directory that already holds valid key material is reused, so a restarted stack keeps its trust store.
 */
public record StandInOptions(int entraPort, int graphPort, int acsPort, Path workDir) {

    public static StandInOptions randomPorts(Path workDir) {
        return new StandInOptions(0, 0, 0, workDir);
    }
}
