package com.contoso.acsauth.standin.entra;

/**
 * The token issuers the Entra stand-in plays, each with a signing key of its own, a discovery document and a key set
 * over HTTPS (see {@link EntraStandIn#discoveryUrl(IssuerShape)}). The keys of the other shapes live beside the home
 * tenant's signing key store and are made with keytool on the first start only, like it.
 */
public enum IssuerShape {
    /** The server's own workforce tenant (AAD_TENANT_ID); signs with the published Entra key. */
    HOME_TENANT(EntraStandIn.TENANT_ID, null, null),
    /** A second workforce tenant, allowed by a multi-tenant deployment (AAD_ALLOWED_TENANTS). */
    PARTNER_TENANT(EntraStandIn.PARTNER_TENANT_ID, "standin-entra-partner-signing.p12",
            "CN=Entra ID stand-in partner tenant token signing, O=Fabrikam"),
    /** A third workforce tenant that no deployment lists: its tokens are well-formed but not allowed. */
    UNLISTED_TENANT(EntraStandIn.UNLISTED_TENANT_ID, "standin-entra-unlisted-signing.p12",
            "CN=Entra ID stand-in unlisted tenant token signing, O=Northwind"),
    /** A Microsoft Entra External ID (external / customer) tenant: issuer {@code https://<tid>.ciamlogin.com/<tid>/v2.0}. */
    EXTERNAL_ID(EntraStandIn.EXTERNAL_ID_TENANT_ID, "standin-external-id-signing.p12",
            "CN=External ID stand-in token signing, O=Contoso"),
    /** An Azure AD B2C tenant's user flow: issuer {@code https://<name>.b2clogin.com/<tid>/v2.0/}, v1.0 tokens with {@code tfp}. */
    B2C(EntraStandIn.B2C_TENANT_ID, "standin-b2c-signing.p12", "CN=Azure AD B2C stand-in token signing, O=Contoso");

    private final String tenantId;
    private final String keyStoreFile;
    private final String keySubject;

    IssuerShape(String tenantId, String keyStoreFile, String keySubject) {
        this.tenantId = tenantId;
        this.keyStoreFile = keyStoreFile;
        this.keySubject = keySubject;
    }

    /** The directory's tenant id (the {@code tid} of its tokens, except B2C's, which have none). */
    public String tenantId() {
        return tenantId;
    }

    /** The file name of its signing key store, beside the home tenant's; null for the home tenant itself. */
    public String keyStoreFile() {
        return keyStoreFile;
    }

    String keySubject() {
        return keySubject;
    }

    String keyAlias() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "-signing";
    }
}
