package com.contoso.acsauth.standin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;

/**
 * The API app's client certificate, registered on it in the Entra stand-in, as the files a server is pointed at instead
 * of a client secret; and a certificate Entra does not know, for the negative case.
 *
 * @param pkcs12              PKCS#12 with exactly one key entry (what msal4j's {@code createFromCertificate(InputStream, password)} needs)
 * @param pkcs12Password      its password
 * @param pem                 private key (PKCS#8 {@code PRIVATE KEY}) and certificate in one PEM file (azure-identity's form)
 * @param pemCertificate      the certificate alone ({@code CERTIFICATE})
 * @param pemPrivateKey       the private key alone ({@code PRIVATE KEY}, unencrypted PKCS#8)
 * @param unregisteredPkcs12  another self-signed certificate and key, same password, not registered on any app
 * @param unregisteredPem     the same as key + certificate PEM
 */
public record CertificateFiles(Path pkcs12, String pkcs12Password, Path pem, Path pemCertificate, Path pemPrivateKey,
                               Path unregisteredPkcs12, Path unregisteredPem) {

    /** Writes the files into {@code directory} (same content for every start on the same key stores). */
    static CertificateFiles export(SelfSignedKeyStore registered, SelfSignedKeyStore unregistered, Path directory) {
        try {
            Files.createDirectories(directory);
            Path pkcs12 = directory.resolve("api-app.p12");
            Path pem = directory.resolve("api-app.pem");
            Path pemCertificate = directory.resolve("api-app-certificate.pem");
            Path pemPrivateKey = directory.resolve("api-app-private-key.pem");
            Path unregisteredPkcs12 = directory.resolve("unregistered.p12");
            Path unregisteredPem = directory.resolve("unregistered.pem");
            write(pkcs12, Files.readAllBytes(registered.file()));
            write(pemPrivateKey, privateKeyPem(registered).getBytes(StandardCharsets.US_ASCII));
            write(pemCertificate, certificatePem(registered).getBytes(StandardCharsets.US_ASCII));
            write(pem, (privateKeyPem(registered) + certificatePem(registered)).getBytes(StandardCharsets.US_ASCII));
            write(unregisteredPkcs12, Files.readAllBytes(unregistered.file()));
            write(unregisteredPem, (privateKeyPem(unregistered) + certificatePem(unregistered)).getBytes(StandardCharsets.US_ASCII));
            return new CertificateFiles(pkcs12, SelfSignedKeyStore.PASSWORD, pem, pemCertificate, pemPrivateKey, unregisteredPkcs12,
                    unregisteredPem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export the client certificates to " + directory, e);
        }
    }

    private static String privateKeyPem(SelfSignedKeyStore store) {
        return pem("PRIVATE KEY", store.privateKey().getEncoded());
    }

    private static String certificatePem(SelfSignedKeyStore store) {
        try {
            return pem("CERTIFICATE", store.certificate().getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    // stand-ins started in parallel on one work directory write the same bytes; a reader never sees half a file
    static void write(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.write(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
