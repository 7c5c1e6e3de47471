package com.contoso.acsauth.entra;

import com.contoso.acsauth.config.SettingsReader;
import java.net.URI;
import java.util.Optional;

/**
 * The Entra ID tenant and this API's app registration. {@code aad.instance} is the authority host: public cloud by
 * default, a sovereign cloud, or the local stand-in.
 */
public record EntraSettings(URI instance, String tenantId, String clientId, AppCredential credential) {

    /** @param credentialRequired whether On-Behalf-Of is used (the Graph mapping store), so a credential is needed */
    public static EntraSettings read(SettingsReader reader, boolean credentialRequired) {
        return read(reader, credentialRequired, true);
    }

    /**
     * @param signsIn whether workforce users sign in at all ({@link #signsIn(SettingsReader)}); when not, nothing of
     *                Entra ID is read or needed and {@link #configured()} is false
     */
    public static EntraSettings read(SettingsReader reader, boolean credentialRequired, boolean signsIn) {
        if (!signsIn) {
            return new EntraSettings(URI.create("https://login.microsoftonline.com/"), "", "", new AppCredential.None());
        }
        String instance = reader.withDefault("aad.instance", "https://login.microsoftonline.com/");
        URI instanceUrl = reader.httpsUrl("aad.instance", instance.endsWith("/") ? instance : instance + "/");
        if (!instance.endsWith("/")) {
            reader.problem("aad.instance", "must end with '/', e.g. https://login.microsoftonline.com/ (it prefixes the tenant id)");
        }
        return new EntraSettings(instanceUrl,
                reader.required("aad.tenant-id", "the Entra ID tenant id (GUID) whose users call this API"),
                reader.required("aad.client-id", "the application (client) id of this API's app registration"),
                AppCredential.read(reader, credentialRequired));
    }

    /**
     * Whether Entra workforce users sign in: yes unless AAD_TENANT_ID and AAD_CLIENT_ID are both unset and
     * TRUSTED_ISSUERS names other issuers (a server for External ID, B2C or Keycloak users only).
     */
    public static boolean signsIn(SettingsReader reader) {
        return reader.optional("aad.tenant-id").isPresent() || reader.optional("aad.client-id").isPresent()
                || reader.list("trusted-issuers", "").isEmpty();
    }

    /** Whether a workforce tenant is configured (see {@link #signsIn(SettingsReader)}). */
    public boolean configured() {
        return !tenantId.isEmpty();
    }

    /** {@code https://login.microsoftonline.com/<tenant>/}, the MSAL authority. */
    public String authority() {
        return instance + tenantId + "/";
    }

    public String issuer() {
        return instance + tenantId + "/v2.0";
    }

    public String keysUrl() {
        return instance + tenantId + "/discovery/v2.0/keys";
    }

    /**
     * msal4j files cached tokens under the host without the port but looks them up under host:port, so on a
     * non-443 authority (a stand-in, a proxy) its cache never hits unless it is told both are aliases: this is the
     * instance-discovery answer that says so, for {@code aadInstanceDiscoveryResponse}.
     */
    public Optional<String> msalInstanceMetadata() {
        return msalInstanceMetadata(URI.create(authority()));
    }

    public static Optional<String> msalInstanceMetadata(URI authority) {
        if (authority.getPort() == -1 || authority.getPort() == 443) {
            return Optional.empty();
        }
        String host = authority.getHost();
        String hostAndPort = host + ":" + authority.getPort();
        String tenantPath = authority.getPath().replaceAll("/+$", "");
        return Optional.of("{\"tenant_discovery_endpoint\":\"https://" + hostAndPort + tenantPath
                + "/v2.0/.well-known/openid-configuration\",\"api-version\":\"1.1\",\"metadata\":[{"
                + "\"preferred_network\":\"" + host + "\",\"preferred_cache\":\"" + host + "\","
                + "\"aliases\":[\"" + host + "\",\"" + hostAndPort + "\"]}]}");
    }

    @Override
    public String toString() {
        // never print the secret
        return "EntraSettings[instance=" + instance + ", tenantId=" + tenantId + ", clientId=" + clientId
                + ", credential=" + credential + "]";
    }
}
