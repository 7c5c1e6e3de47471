package com.contoso.acsauth.entra;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.IClientCertificate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The app's certificate credential for msal4j, from a PKCS12 file or a PEM file holding a PKCS#8 private key and
 * the certificate chain (what Key Vault exports). Messages name the file, never the key or the password.
 */
final class CertificateCredentials {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    private CertificateCredentials() {
    }

    /** @throws IllegalArgumentException naming the file and what is wrong with it */
    static IClientCertificate load(Path file, String password) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("names " + file + ", which this server cannot read");
        }
        String text = new String(content, StandardCharsets.US_ASCII);
        try {
            return text.contains("-----BEGIN ") ? fromPem(file, text) : fromPkcs12(content, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("names " + file + ", which holds no usable certificate and private key ("
                    + (text.contains("-----BEGIN ") ? "PEM: a PKCS#8 'PRIVATE KEY' and its 'CERTIFICATE'"
                    : "PKCS12: check AAD_CLIENT_CERTIFICATE_PASSWORD") + ")");
        }
    }

    private static IClientCertificate fromPkcs12(byte[] content, String password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(content), password.toCharArray());
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                try (InputStream again = new ByteArrayInputStream(content)) {
                    return ClientCredentialFactory.createFromCertificate(again, password);
                }
            }
        }
        throw new GeneralSecurityException("no private key entry");
    }

    private static IClientCertificate fromPem(Path file, String text) throws GeneralSecurityException {
        PrivateKey key = null;
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory certificates = CertificateFactory.getInstance("X.509");
        Matcher block = PEM.matcher(text);
        while (block.find()) {
            byte[] der = Base64.getMimeDecoder().decode(block.group(2));
            switch (block.group(1)) {
                case "PRIVATE KEY" -> key = privateKey(der);
                case "CERTIFICATE" -> chain.add((X509Certificate) certificates.generateCertificate(new ByteArrayInputStream(der)));
                case "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(
                        "names " + file + ", whose key is '" + block.group(1).toLowerCase(Locale.ROOT) + "'; convert it to an "
                                + "unencrypted PKCS#8 'PRIVATE KEY' (openssl pkcs8 -topk8 -nocrypt) or use PKCS12");
                default -> {
                    // other blocks (parameters) carry nothing we need
                }
            }
        }
        if (key == null || chain.isEmpty()) {
            throw new GeneralSecurityException("no key or no certificate");
        }
        return ClientCredentialFactory.createFromCertificateChain(key, chain);
    }

    private static PrivateKey privateKey(byte[] pkcs8) throws GeneralSecurityException {
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException notThisAlgorithm) {
                // try the next
            }
        }
        throw new GeneralSecurityException("not an RSA or EC key");
    }
}
