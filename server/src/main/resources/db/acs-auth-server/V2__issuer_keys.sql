-- Users of other issuers than Entra ID (TRUSTED_ISSUERS): their key is (the issuer's iss, sub), and an iss is a URL,
-- longer than a tenant id. Entra users keep (tenant id, oid), so their rows stay valid. Standard SQL (PostgreSQL, H2).
ALTER TABLE acs_identity_mapping ALTER COLUMN tenant_id SET DATA TYPE VARCHAR(512);
ALTER TABLE acs_identity_mapping ALTER COLUMN object_id SET DATA TYPE VARCHAR(255);
