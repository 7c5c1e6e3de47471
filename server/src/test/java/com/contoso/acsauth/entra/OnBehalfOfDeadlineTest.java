package com.contoso.acsauth.entra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.standin.Fault;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.SharedStandIns;
import com.contoso.acsauth.standin.StandIns;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

/** The wait for msal4j's On-Behalf-Of answer ends at the request's deadline, not at three client timeouts. */
class OnBehalfOfDeadlineTest {

    @Test
    void aSlowEntraIdIsATimeoutAtTheDeadline() throws Exception {
        StandIns standIns = SharedStandIns.get();
        SharedStandIns.forgetMsalInstanceMetadata();
        SSLSocketFactory previous = HttpsURLConnection.getDefaultSSLSocketFactory();
        HttpsURLConnection.setDefaultSSLSocketFactory(standIns.sslContext().getSocketFactory());
        OnBehalfOfTokens cut = new OnBehalfOfTokens(
                new EntraSettings(URI.create(standIns.aadInstance()), standIns.tenantId(), standIns.apiClientId(),
                        new AppCredential.ClientSecret(standIns.apiClientSecret())),
                new DownstreamSettings(Duration.ofSeconds(10), 0));
        try {
            cut.buildClient();
            cut.deadline = Deadline.after(Duration.ofSeconds(1), Duration.ofSeconds(10));
            standIns.faults().inject(Operation.ENTRA_TOKEN_OBO, Fault.latency(Duration.ofSeconds(8)));
            String alice = standIns.entra().apiToken(standIns.entra().user("alice"));

            ProblemException timeout = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(ProblemException.class, () -> cut.tokenFor(alice, Set.of("https://graph.microsoft.com/.default"))));

            assertEquals(ProblemType.DOWNSTREAM_TIMEOUT, timeout.type());
        } finally {
            standIns.faults().clear();
            cut.close();
            HttpsURLConnection.setDefaultSSLSocketFactory(previous);
        }
    }
}
