package com.contoso.acsauth.standin;

/** The downstream operations the stand-ins serve; calls are counted and faults injected per operation. */
public enum Operation {
    ENTRA_DISCOVERY,
    ENTRA_KEYS,
    ENTRA_TOKEN_OBO,
    ENTRA_TOKEN_PASSWORD,
    ENTRA_TOKEN_CLIENT_CREDENTIALS,
    /** The browser sign-in: {@code GET /{tenant}/oauth2/v2.0/authorize} (authorization code with PKCE). */
    ENTRA_AUTHORIZE,
    /** The stand-in's sign-in form posted: {@code POST /{tenant}/login}. */
    ENTRA_LOGIN,
    /** The token endpoint's {@code authorization_code} grant (a single-page app redeeming its code). */
    ENTRA_TOKEN_AUTHORIZATION_CODE,
    /** The token endpoint's {@code refresh_token} grant. */
    ENTRA_TOKEN_REFRESH,
    /** The end-session endpoint: {@code GET /{tenant}/oauth2/v2.0/logout}. */
    ENTRA_LOGOUT,
    /** A Kubernetes cluster's OIDC issuer (served beside Entra): its discovery document and its keys, fetched by Entra. */
    CLUSTER_OIDC_DISCOVERY,
    CLUSTER_OIDC_KEYS,
    /** The App Service / Container Apps managed-identity endpoint ({@code IDENTITY_ENDPOINT}). */
    MANAGED_IDENTITY_TOKEN,
    /** The VM / AKS node Instance Metadata Service token endpoint. */
    IMDS_TOKEN,
    GRAPH_GET_ME,
    GRAPH_CREATE_EXTENSION,
    GRAPH_GET_EXTENSION,
    GRAPH_DELETE_EXTENSION,
    GRAPH_UPDATE_EXTENSION,
    GRAPH_LIST_USERS,
    ACS_CREATE_IDENTITY,
    ACS_ISSUE_TOKEN,
    ACS_REVOKE_TOKENS,
    ACS_DELETE_IDENTITY,
    ACS_EXCHANGE_TEAMS_TOKEN,
    /** ACS Chat's thread list, authenticated with an ACS user token: how a client proves a token works (or was revoked). */
    ACS_CHAT_LIST_THREADS
}
