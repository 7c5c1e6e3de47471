package com.contoso.acsauth.standin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PKCS12 key store with one RSA key pair and its self-signed certificate, made by the JDK's {@code keytool}
 * (the JDK has no public API for writing certificates). An existing store is reused while it is readable, valid
 * for at least another day and carries the wanted subject alternative names.
 */
public record SelfSignedKeyStore(Path file, String alias, PrivateKey privateKey, X509Certificate certificate) {

    public static final String PASSWORD = "changeit";

    /** Loads {@code file}, or makes it with keytool. {@code san} is keytool's form, e.g. "ip:127.0.0.1,dns:localhost", or null. */
    public static SelfSignedKeyStore loadOrCreate(Path file, String alias, String distinguishedName, String san) {
        if (Files.exists(file)) {
            try {
                SelfSignedKeyStore existing = load(file, alias);
                if (existing.usable(san)) {
                    return existing;
                }
            } catch (IOException | GeneralSecurityException e) {
                // unreadable or foreign: make a new one below
            }
        }
        Path fresh = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            runKeytool(fresh, alias, distinguishedName, san);
            // a concurrent run may have won the race to a missing file: then use theirs, so both agree
            try {
                if (Files.exists(file)) {
                    Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.move(fresh, file); // no ATOMIC_MOVE: on Linux that would silently replace a racing winner
                }
            } catch (FileAlreadyExistsException raced) {
                Files.deleteIfExists(fresh);
            }
            return load(file, alias);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the key store " + file, e);
        } finally {
            try {
                Files.deleteIfExists(fresh);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Writes a PKCS12 trust store holding only this certificate, unless {@code trustStore} already holds exactly it. */
    public void writeTrustStore(Path trustStore) {
        try {
            if (Files.exists(trustStore)) {
                KeyStore existing = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(trustStore)) {
                    existing.load(in, PASSWORD.toCharArray());
                }
                if (existing.size() == 1 && certificate.equals(existing.getCertificate(alias))) {
                    return;
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            // rewrite below
        }
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(alias, certificate);
            Path tmp = trustStore.resolveSibling(trustStore.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            try (OutputStream out = Files.newOutputStream(tmp)) {
                trust.store(out, PASSWORD.toCharArray());
            }
            Files.move(tmp, trustStore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the trust store " + trustStore, e);
        }
    }

    /** The whole key store, for a KeyManagerFactory. */
    public KeyStore keyStore() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(alias, privateKey, PASSWORD.toCharArray(), new X509Certificate[]{certificate});
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SelfSignedKeyStore load(Path file, String alias) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        if (!(ks.getKey(alias, PASSWORD.toCharArray()) instanceof PrivateKey key)
                || !(ks.getCertificate(alias) instanceof X509Certificate cert)) {
            throw new GeneralSecurityException("no key entry " + alias + " in " + file);
        }
        return new SelfSignedKeyStore(file, alias, key, cert);
    }

    private boolean usable(String san) {
        try {
            certificate.checkValidity(Date.from(Instant.now().plus(Duration.ofDays(1))));
            return san == null || subjectAlternativeNames().containsAll(List.of(san.split(",")));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    // in keytool's spelling: "ip:127.0.0.1", "dns:localhost"
    private List<String> subjectAlternativeNames() throws CertificateParsingException {
        List<String> names = new ArrayList<>();
        Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> entry : sans) {
                int type = (Integer) entry.get(0);
                if (type == 2) {
                    names.add("dns:" + entry.get(1));
                } else if (type == 7) {
                    names.add("ip:" + entry.get(1));
                }
            }
        }
        return names;
    }

    private static void runKeytool(Path target, String alias, String distinguishedName, String san) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA",
                "-validity", "3650", "-dname", distinguishedName,
                "-storetype", "PKCS12", "-keystore", target.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (san != null) {
            command.addAll(List.of("-ext", "SAN=" + san));
        }
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keytool.waitFor(60, TimeUnit.SECONDS)) {
                keytool.destroyForcibly();
                throw new IOException("keytool did not finish within 60 s");
            }
            if (keytool.exitValue() != 0) {
                throw new IOException("keytool failed (" + keytool.exitValue() + "): " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            keytool.destroyForcibly();
            throw new IOException("interrupted while keytool ran", e);
        }
    }
}
