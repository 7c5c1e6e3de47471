package com.contoso.acsauth.standin;

import java.nio.file.Path;

/**
 * Where the stand-ins listen (0 = any free port) and where they keep their certificates and key stores.
 * A work directory that already holds valid key material is reused, so a restarted stack keeps its trust store.
 *
 * @param identityEndpointPort the App Service / Container Apps managed-identity endpoint (plain HTTP)
 * @param imdsPort             the Instance Metadata Service token endpoint (plain HTTP)
 * @param clusterIssuerPort    the Kubernetes cluster's OIDC issuer (HTTPS)
 */
public record StandInOptions(int entraPort, int graphPort, int acsPort, int identityEndpointPort, int imdsPort,
                             int clusterIssuerPort, Path workDir) {

    /** Fixed Entra, Graph and ACS ports; the managed-identity endpoints and the cluster issuer on any free port. */
    public StandInOptions(int entraPort, int graphPort, int acsPort, Path workDir) {
        this(entraPort, graphPort, acsPort, 0, 0, 0, workDir);
    }

    public static StandInOptions randomPorts(Path workDir) {
        return new StandInOptions(0, 0, 0, 0, 0, 0, workDir);
    }
}
