package com.contoso.acsauth.mapping.migration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * Certificates to trust for Entra ID and Graph instead of the JVM's defaults, for tests against local stand-ins with a
 * self-signed certificate. The command line always uses the JVM's trust store ({@code -Djavax.net.ssl.trustStore}).
 */
public record HttpsTrust(SSLContext sslContext, X509TrustManager trustManager) {
}
