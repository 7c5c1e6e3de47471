// What the /try/ page takes from the ACS common library; esbuild bundles it, with its dependencies, as the global AcsCommon.
export { AzureCommunicationTokenCredential } from "@azure/communication-common";
