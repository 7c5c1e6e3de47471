package com.contoso.acsauth.mapping;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's proof that it wrote a mapping: HMAC-SHA256 over the tenant id, the user's {@code oid} and the ACS id,
 * as {@code v1.<key id>.<base64url MAC>}. Signs with the first key, accepts any of them, so keys can rotate. The key
 * id is derived from the key (no naming to get wrong); the keys themselves never leave this class.
 */
public final class MappingSignature {

    static final String VERSION = "v1";
    /** Domain separation: a MAC made for anything else with the same key never verifies here. */
    private static final String CONTEXT = "acs-auth-server identity mapping v1";

    /** What a stored signature says about its mapping. */
    public enum Verdict {
        /** Written by this server (with a current key) for exactly this user and identity. */
        VALID,
        /** No signature: written by the originals, by hand, or by another app. */
        UNSIGNED,
        /** A signature this server cannot vouch for: wrong MAC, another user's, a malformed one, or a retired key. */
        TAMPERED
    }

    private final Map<String, byte[]> keysById = new LinkedHashMap<>();
    private final String signingKeyId;

    /** @param keys at least one key, 32 bytes or more each; the first signs */
    public MappingSignature(List<byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one mapping signing key is needed");
        }
        for (byte[] key : keys) {
            if (key.length < 32) {
                throw new IllegalArgumentException("a mapping signing key must have at least 32 bytes");
            }
            keysById.putIfAbsent(keyId(key), key.clone());
        }
        signingKeyId = keyId(keys.get(0));
    }

    /** The id a key is known by in stored signatures and log lines: 8 base64url characters of its SHA-256. */
    public static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public String sign(String tenantId, String oid, String acsUserId) {
        return VERSION + "." + signingKeyId + "." + mac(keysById.get(signingKeyId), tenantId, oid, acsUserId);
    }

    public Verdict verify(String tenantId, String oid, String acsUserId, String signature) {
        if (signature == null || signature.isBlank()) {
            return Verdict.UNSIGNED;
        }
        String[] parts = signature.split("\\.", -1);
        if (parts.length != 3 || !VERSION.equals(parts[0])) {
            return Verdict.TAMPERED;
        }
        byte[] key = keysById.get(parts[1]);
        if (key == null) {
            return Verdict.TAMPERED;
        }
        byte[] expected = mac(key, tenantId, oid, acsUserId).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII)) ? Verdict.VALID : Verdict.TAMPERED;
    }

    /** The key id a signature names, for log lines; empty when it names none. */
    public static Optional<String> keyIdOf(String signature) {
        if (signature == null) {
            return Optional.empty();
        }
        String[] parts = signature.split("\\.", -1);
        return parts.length == 3 ? Optional.of(parts[1]) : Optional.empty();
    }

    private static String mac(byte[] key, String tenantId, String oid, String acsUserId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            // length-prefixed fields: no two different triples produce the same input
            for (String field : List.of(CONTEXT, tenantId, oid, acsUserId)) {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                mac.update(new byte[]{(byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16),
                        (byte) (bytes.length >>> 8), (byte) bytes.length});
                mac.update(bytes);
            }
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
