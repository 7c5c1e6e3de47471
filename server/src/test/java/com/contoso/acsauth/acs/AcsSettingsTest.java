package com.contoso.acsauth.acs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.config.SettingsReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AcsSettingsTest {

    /** Base64 of "PLANTED-SECRET-KEY": recognizable wherever any part of it is echoed. */
    static final String SECRET = "UExBTlRFRC1TRUNSRVQtS0VZ";
    static final String HOST = "contoso.communication.azure.com";

    record Read(AcsSettings settings, List<String> problems) {
        String everythingShown() {
            return String.join("\n", problems) + "\n" + settings + "\n" + settings.endpoint();
        }
    }

    static Read read(Map<String, String> values) {
        SettingsReader reader = new SettingsReader(property -> Optional.ofNullable(values.get(property)));
        AcsSettings settings = AcsSettings.read(reader, "22222222-2222-2222-2222-222222222222");
        return new Read(settings, reader.problems());
    }

    static Read connectionString(String value) {
        return read(Map.of("acs.connection-string", value));
    }

    @Test
    void aValidConnectionStringGivesItsEndpoint() {
        Read read = connectionString("endpoint=https://" + HOST + "/;accesskey=" + SECRET);

        assertEquals(List.of(), read.problems());
        assertEquals("https://" + HOST + "/", read.settings().endpoint().toString());
        assertEquals(AcsSettings.Credential.ACCESS_KEY, read.settings().credential());
        assertEquals("https://127.0.0.1:8443/",
                connectionString("Endpoint=https://127.0.0.1:8443;AccessKey=" + SECRET).settings().endpoint().toString());
    }

    @Test
    void malformedConnectionStringsNeverEchoTheAccessKey() {
        List<String> malformed = List.of(
                "endpoint=https://" + HOST + "/accesskey=" + SECRET,                 // no ';'
                "endpoint=https://" + HOST + "/,accesskey=" + SECRET,
                "https://" + HOST + "/;" + SECRET,                                   // no names
                SECRET,
                "endpoint=" + SECRET + ";accesskey=" + SECRET,                       // key as the endpoint
                "endpoint=https://" + SECRET + "@" + HOST + "/;accesskey=" + SECRET, // key as user info
                "endpoint=https://" + HOST + "/?accesskey=" + SECRET + ";accesskey=" + SECRET,
                "endpoint=https://" + HOST + "/#" + SECRET + ";accesskey=" + SECRET,
                "endpoint=https://" + HOST + "/" + SECRET + ";accesskey=" + SECRET,
                "endpoint=https://" + HOST + "/ " + SECRET + ";accesskey=" + SECRET, // fails URL parsing
                "endpoint=https://" + HOST + ":" + SECRET + "/;accesskey=" + SECRET, // key as the port
                "endpoint=https://" + HOST + "/%zz" + SECRET + ";accesskey=" + SECRET,
                "endpoint=http://" + HOST + "/" + SECRET + ";accesskey=" + SECRET,
                "endpoint=https://" + HOST + "/;accesskey=" + SECRET + "*not-base64",
                "endpoint=https://" + HOST + "/;accesskey=" + SECRET + ";accesskey",
                "endpoint=https://" + HOST + "/;accesskey=" + SECRET + "\n" + SECRET);
        for (String value : malformed) {
            Read read = connectionString(value);

            assertFalse(read.problems().isEmpty(), () -> "accepted: " + value);
            assertTrue(read.problems().stream().allMatch(p -> p.startsWith("ACS_CONNECTION_STRING")), read.problems()::toString);
            assertFalse(read.everythingShown().contains("UExBTlRFRC1") || read.everythingShown().contains("PLANTED"),
                    () -> "echoed the key of " + value + ":\n" + read.everythingShown());
        }
    }

    @Test
    void theEndpointHostIsNamedWhenOnlyWhatFollowsItIsWrong() {
        Read read = connectionString("endpoint=https://" + HOST + "/accesskey=" + SECRET);

        String problems = String.join("\n", read.problems());
        assertTrue(problems.contains(HOST) && problems.contains("accesskey"), problems);
    }

    @Test
    void aConnectionStringPastedIntoAcsEndpointIsNotEchoed() {
        Read read = read(Map.of("acs.endpoint", "endpoint=https://" + HOST + "/;accesskey=" + SECRET));

        assertTrue(String.join("\n", read.problems()).contains("ACS_ENDPOINT"), read.problems()::toString);
        assertFalse(read.everythingShown().contains("UExBTlRFRC1"), read::everythingShown);
    }

    @Test
    void tokenScopesAreThoseOfTheSdksApiVersion() {
        Map<String, String> values = new HashMap<>(Map.of("acs.connection-string", "endpoint=https://" + HOST + "/;accesskey=" + SECRET));
        assertEquals(List.of("voip", "chat"), read(values).settings().tokenScopes());

        values.put("acs.token-scopes", "chat voip");
        assertEquals(List.of(), read(values).problems());

        for (String joinScope : List.of("chat.join", "chat.join.limited", "voip.join", "teleport")) {
            values.put("acs.token-scopes", "chat," + joinScope);
            String problems = String.join("\n", read(values).problems());
            assertTrue(problems.contains("ACS_TOKEN_SCOPES") && problems.contains(joinScope) && problems.contains("chat, voip"),
                    () -> joinScope + ": " + problems);
        }
    }
}
