-- One row per Entra user (tenant id, object id): the ACS identity this server created for it.
-- The primary key makes a second mapping for a user impossible, also across server instances racing POST /api/user;
-- the unique ACS id keeps the mapping 1:1. Portable SQL: runs on PostgreSQL and on the servers' embedded H2.
CREATE TABLE acs_identity_mapping (
    tenant_id   VARCHAR(64)  NOT NULL,
    object_id   VARCHAR(64)  NOT NULL,
    acs_user_id VARCHAR(256) NOT NULL,
    created_at  TIMESTAMP    NOT NULL,
    CONSTRAINT acs_identity_mapping_pk PRIMARY KEY (tenant_id, object_id),
    CONSTRAINT acs_identity_mapping_acs_user_uk UNIQUE (acs_user_id)
);
