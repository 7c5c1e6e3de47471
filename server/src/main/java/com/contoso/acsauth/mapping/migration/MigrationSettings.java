package com.contoso.acsauth.mapping.migration;

import com.contoso.acsauth.config.SettingsReader;
import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.mapping.GraphSettings;
import com.contoso.acsauth.mapping.MappingSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * What the migration job needs, read like the server reads its settings: a system property with the lower-case dotted
 * name ({@code aad.tenant-id}) wins over the environment variable ({@code AAD_TENANT_ID}). Every problem is collected
 * so one run names all of them; secret values are never part of a message.
 */
public record MigrationSettings(
        URI aadInstance,
        String tenantId,
        String clientId,
        String clientSecret,
        URI graphBaseUrl,
        String graphScope,
        String extensionName,
        List<byte[]> signingKeys,
        boolean acceptUnsigned,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        boolean dryRun) {

    static final String GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default";

    public static MigrationSettings read(Map<String, String> environment, Properties systemProperties) {
        SettingsReader reader = new SettingsReader(property -> Optional.ofNullable(systemProperties.getProperty(property))
                .filter(v -> !v.isBlank())
                .or(() -> Optional.ofNullable(environment.get(SettingsReader.environmentName(property)))));
        // the server's own readers: the same names, defaults and checks
        // the job runs on an admin's machine with the app's client secret, whatever the server itself uses
        EntraSettings entra = EntraSettings.read(reader, false);
        String clientSecret = reader.required("aad.client-secret", "a client secret of the API's app registration "
                + "(the job reads every user's extensions with the app's application permission)");
        GraphSettings graph = GraphSettings.read(reader);
        String graphScope = appOnlyScope(reader, graph.baseUrl());
        List<byte[]> keys = MappingSettings.signingKeys(reader);
        boolean acceptUnsigned = reader.bool("mapping.accept-unsigned", false);
        String jdbcUrl = reader.required("migration.jdbc-url", "the JDBC URL of the target database, e.g. "
                + "jdbc:postgresql://db.example.com:5432/acsauth?sslmode=require");
        if (!jdbcUrl.isEmpty() && !jdbcUrl.startsWith("jdbc:")) {
            reader.problem("migration.jdbc-url", "must be a JDBC URL starting with jdbc:");
        }
        String jdbcUser = reader.withDefault("migration.jdbc-user", null);
        String jdbcPassword = reader.withDefault("migration.jdbc-password", null);
        boolean dryRun = reader.bool("migration.dry-run", false);
        if (!reader.problems().isEmpty()) {
            throw new MigrationSettingsException(reader.problems());
        }
        return new MigrationSettings(entra.instance(), entra.tenantId(), entra.clientId(), clientSecret,
                graph.baseUrl(), graphScope, graph.extensionName(), keys, acceptUnsigned, jdbcUrl, jdbcUser, jdbcPassword,
                dryRun);
    }

    /** {@code https://login.microsoftonline.com/<tenant>/}, the MSAL authority. */
    public String authority() {
        return aadInstance + tenantId + "/";
    }

    /** The values that must never appear in output, for redacting messages of libraries that echo them. */
    List<String> secretValues() {
        List<String> values = new ArrayList<>();
        values.add(clientSecret);
        if (jdbcPassword != null) {
            values.add(jdbcPassword);
        }
        signingKeys.forEach(k -> {
            values.add(Base64.getEncoder().encodeToString(k));
            values.add(Base64.getUrlEncoder().encodeToString(k));
            values.add(Base64.getUrlEncoder().withoutPadding().encodeToString(k));
        });
        // a JDBC URL may carry credentials in its parameters
        int parameters = jdbcUrl.indexOf('?');
        if (parameters >= 0 && parameters < jdbcUrl.length() - 1) {
            values.add(jdbcUrl.substring(parameters + 1));
        }
        return values.stream().filter(v -> !v.isBlank()).toList();
    }

    /**
     * Client credentials take one resource's {@code /.default}. GRAPH_SCOPES usually is that already; the delegated
     * form the server may use ({@code https://graph.microsoft.com/User.ReadWrite}) is turned into its resource's.
     */
    private static String appOnlyScope(SettingsReader reader, URI graphBaseUrl) {
        List<String> scopes = reader.list("graph.scopes", GRAPH_DEFAULT_SCOPE);
        Set<String> resources = new LinkedHashSet<>();
        for (String scope : scopes) {
            int slash = scope.lastIndexOf('/');
            resources.add(slash > 0 ? scope.substring(0, slash)
                    : graphBaseUrl.getScheme() + "://" + graphBaseUrl.getAuthority());
        }
        if (resources.size() != 1) {
            reader.problem("graph.scopes", "names more than one resource (" + String.join(", ", resources)
                    + "); the job needs Microsoft Graph's only, e.g. " + GRAPH_DEFAULT_SCOPE);
            return GRAPH_DEFAULT_SCOPE;
        }
        return resources.iterator().next() + "/.default";
    }

    @Override
    public String toString() {
        // never the secret, the keys or the JDBC URL (it may carry a password)
        return "MigrationSettings[tenantId=" + tenantId + ", clientId=" + clientId + ", graphBaseUrl=" + graphBaseUrl
                + ", extensionName=" + extensionName + ", signingKeys=" + signingKeys.size() + ", acceptUnsigned="
                + acceptUnsigned + ", dryRun=" + dryRun + "]";
    }
}
