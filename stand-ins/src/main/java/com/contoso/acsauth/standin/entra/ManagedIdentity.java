package com.contoso.acsauth.standin.entra;

/**
 * A managed identity of the tenant, as the managed-identity endpoints know it.
 *
 * @param clientId    what a user-assigned identity is selected by ({@code client_id}); {@code appid} of its tokens
 * @param objectId    its service principal's object id: {@code oid} and {@code sub} of its tokens, the subject of a
 *                    federated identity credential that trusts it, the principal of ACS role assignments
 * @param resourceId  its ARM id ({@code mi_res_id} / {@code msi_res_id}; {@code xms_mirid} of its tokens)
 */
public record ManagedIdentity(String displayName, String clientId, String objectId, String resourceId, boolean systemAssigned) {
}
