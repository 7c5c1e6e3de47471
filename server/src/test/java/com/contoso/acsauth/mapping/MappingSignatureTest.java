package com.contoso.acsauth.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.contoso.acsauth.mapping.MappingSignature.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MappingSignatureTest {

    static final byte[] CURRENT = "current-key-current-key-current-key!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PREVIOUS = "previous-key-previous-key-previous!!".getBytes(StandardCharsets.US_ASCII);
    static final String TENANT = "tenant-1";
    static final String ALICE = "oid-alice";
    static final String ACS_ID = "8:acs:resource_alice";

    final MappingSignature cut = new MappingSignature(List.of(CURRENT, PREVIOUS));

    @Test
    void aMappingItSignedVerifies() {
        assertEquals(Verdict.VALID, cut.verify(TENANT, ALICE, ACS_ID, cut.sign(TENANT, ALICE, ACS_ID)));
    }

    @Test
    void anotherUsersIdentityWithTheirSignatureIsTampered() {
        String bobsSignature = cut.sign(TENANT, "oid-bob", "8:acs:resource_bob");

        assertEquals(Verdict.TAMPERED, cut.verify(TENANT, ALICE, "8:acs:resource_bob", bobsSignature));
        assertEquals(Verdict.TAMPERED, cut.verify("tenant-2", ALICE, ACS_ID, cut.sign(TENANT, ALICE, ACS_ID)));
        assertEquals(Verdict.TAMPERED, cut.verify(TENANT, ALICE, ACS_ID + "x", cut.sign(TENANT, ALICE, ACS_ID)));
    }

    @Test
    void fieldsCannotBeShiftedIntoOneAnother() {
        String signature = cut.sign("ab", "c", ACS_ID);

        assertEquals(Verdict.TAMPERED, cut.verify("a", "bc", ACS_ID, signature));
    }

    @Test
    void aMissingSignatureIsUnsignedAndGarbageIsTampered() {
        assertEquals(Verdict.UNSIGNED, cut.verify(TENANT, ALICE, ACS_ID, null));
        assertEquals(Verdict.UNSIGNED, cut.verify(TENANT, ALICE, ACS_ID, " "));
        assertEquals(Verdict.TAMPERED, cut.verify(TENANT, ALICE, ACS_ID, "garbage"));
        String valid = cut.sign(TENANT, ALICE, ACS_ID);
        assertEquals(Verdict.TAMPERED, cut.verify(TENANT, ALICE, ACS_ID, valid.replace("v1.", "v2.")));
        assertEquals(Verdict.TAMPERED, cut.verify(TENANT, ALICE, ACS_ID, valid.substring(0, valid.length() - 2) + "AA"));
    }

    @Test
    void signsWithTheFirstKeyAndAcceptsEveryListedKey() {
        MappingSignature beforeRotation = new MappingSignature(List.of(PREVIOUS));
        String old = beforeRotation.sign(TENANT, ALICE, ACS_ID);

        assertEquals(Verdict.VALID, cut.verify(TENANT, ALICE, ACS_ID, old));
        assertEquals(MappingSignature.keyId(CURRENT), MappingSignature.keyIdOf(cut.sign(TENANT, ALICE, ACS_ID)).orElseThrow());
        assertNotEquals(old, cut.sign(TENANT, ALICE, ACS_ID));
    }

    @Test
    void aRetiredKeysSignatureIsTampered() {
        String signedWithRetired = new MappingSignature(List.of(PREVIOUS)).sign(TENANT, ALICE, ACS_ID);

        assertEquals(Verdict.TAMPERED, new MappingSignature(List.of(CURRENT)).verify(TENANT, ALICE, ACS_ID, signedWithRetired));
    }

    @Test
    void refusesShortKeys() {
        assertThrows(IllegalArgumentException.class, () -> new MappingSignature(List.of(new byte[31])));
        assertThrows(IllegalArgumentException.class, () -> new MappingSignature(List.of()));
    }
}
