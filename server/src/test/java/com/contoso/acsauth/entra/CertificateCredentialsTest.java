package com.contoso.acsauth.entra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.standin.CertificateFiles;
import com.contoso.acsauth.standin.SharedStandIns;
import com.microsoft.aad.msal4j.IClientCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app certificate as Key Vault and openssl hand it out: PKCS12, or PEM with a PKCS#8 key and the chain. */
class CertificateCredentialsTest {

    final CertificateFiles files = SharedStandIns.get().certificateFiles();

    @Test
    void pkcs12AndPemOfTheSameCertificateGiveTheSameThumbprint() throws Exception {
        IClientCertificate pkcs12 = CertificateCredentials.load(files.pkcs12(), files.pkcs12Password());
        IClientCertificate pem = CertificateCredentials.load(files.pem(), "");

        assertEquals(pkcs12.publicCertificateHash256(), pem.publicCertificateHash256());
        assertFalse(pem.getEncodedPublicKeyCertificateChain().isEmpty());
    }

    @Test
    void aWrongPasswordOrAMissingFileIsNamedWithoutThePassword(@TempDir Path dir) {
        IllegalArgumentException wrongPassword = assertThrows(IllegalArgumentException.class,
                () -> CertificateCredentials.load(files.pkcs12(), "not-the-password"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> CertificateCredentials.load(dir.resolve("absent.pfx"), ""));

        assertTrue(wrongPassword.getMessage().contains(files.pkcs12().toString())
                && wrongPassword.getMessage().contains("AAD_CLIENT_CERTIFICATE_PASSWORD"), wrongPassword.getMessage());
        assertFalse(wrongPassword.getMessage().contains("not-the-password"));
        assertTrue(missing.getMessage().contains("cannot read"), missing.getMessage());
    }

    @Test
    void aPemWithoutTheCertificateOrWithAPkcs1KeySaysWhatToDo(@TempDir Path dir) throws Exception {
        Path keyOnly = Files.copy(files.pemPrivateKey(), dir.resolve("key-only.pem"));
        Path pkcs1 = Files.writeString(dir.resolve("pkcs1.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"
                + Files.readString(files.pemCertificate()));

        IllegalArgumentException noCertificate = assertThrows(IllegalArgumentException.class,
                () -> CertificateCredentials.load(keyOnly, ""));
        IllegalArgumentException oldKeyFormat = assertThrows(IllegalArgumentException.class,
                () -> CertificateCredentials.load(pkcs1, ""));

        assertTrue(noCertificate.getMessage().contains("CERTIFICATE"), noCertificate.getMessage());
        assertTrue(oldKeyFormat.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), oldKeyFormat.getMessage());
    }
}
