package com.contoso.acsauth.config;

import com.contoso.acsauth.acs.AcsSettings;
import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.mapping.GraphSettings;
import com.contoso.acsauth.mapping.MappingCacheSettings;
import com.contoso.acsauth.web.CorsSettings;
import java.util.List;
import org.eclipse.microprofile.config.Config;

/** Every feature's settings, read and validated together so that all problems are reported at once. */
public record Settings(EntraSettings entra, GraphSettings graph, MappingCacheSettings mappingCache, AcsSettings acs,
                       CorsSettings cors, DownstreamSettings downstream, List<String> problems) {

    public static Settings read(Config config) {
        SettingsReader reader = new SettingsReader(config);
        EntraSettings entra = EntraSettings.read(reader);
        GraphSettings graph = GraphSettings.read(reader);
        MappingCacheSettings mappingCache = MappingCacheSettings.read(reader);
        AcsSettings acs = AcsSettings.read(reader, entra.clientId());
        CorsSettings cors = CorsSettings.read(reader);
        DownstreamSettings downstream = DownstreamSettings.read(reader);
        return new Settings(entra, graph, mappingCache, acs, cors, downstream, reader.problems());
    }

    public boolean valid() {
        return problems.isEmpty();
    }
}
