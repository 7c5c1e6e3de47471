package com.contoso.acsauth.entra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.standin.SharedStandIns;
import com.contoso.acsauth.standin.StandIns;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

/**
 * On-Behalf-Of against the Entra stand-in with the real msal4j runs on threads of its own (outside a server; in one,
 * the platform's managed executor), not on the JVM's common pool that the whole server shares.
 */
class OnBehalfOfOwnThreadsTest {

    @Test
    void onBehalfOfRunsOnItsOwnThreadsAndWorksWhileTheCommonPoolIsBusy() throws Exception {
        StandIns standIns = SharedStandIns.get();
        SharedStandIns.forgetMsalInstanceMetadata();
        SSLSocketFactory previous = HttpsURLConnection.getDefaultSSLSocketFactory();
        HttpsURLConnection.setDefaultSSLSocketFactory(standIns.sslContext().getSocketFactory());
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Void>> busy = new ArrayList<>();
        OnBehalfOfTokens cut = new OnBehalfOfTokens(
                new EntraSettings(URI.create(standIns.aadInstance()), standIns.tenantId(), standIns.apiClientId(),
                        new AppCredential.ClientSecret(standIns.apiClientSecret())),
                new DownstreamSettings(Duration.ofSeconds(1), 0));
        try {
            cut.buildClient();
            // other work of the server (parallel streams, async libraries) holding every common-pool thread
            for (int i = 0; i < ForkJoinPool.getCommonPoolParallelism() + 1; i++) {
                busy.add(CompletableFuture.runAsync(() -> await(release)));
            }
            String alice = standIns.entra().apiToken(standIns.entra().user("alice"));

            String graphToken = cut.tokenFor(alice, Set.of("https://graph.microsoft.com/.default"));

            assertFalse(graphToken.isBlank());
            // on more than two cores msal4j's default would be the common pool held above; on two the JDK gives
            // CompletableFuture a thread per task, so the thread names are what shows whose threads ran it
            assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("on-behalf-of-")),
                    "msal4j ran the request on the server's own executor");
        } finally {
            release.countDown();
            busy.forEach(CompletableFuture::join);
            cut.close();
            HttpsURLConnection.setDefaultSSLSocketFactory(previous);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
