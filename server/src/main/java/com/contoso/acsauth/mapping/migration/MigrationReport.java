package com.contoso.acsauth.mapping.migration;

import java.util.ArrayList;
import java.util.List;

/** What a run found and did, one count per outcome, with the users that need an operator's attention. */
public final class MigrationReport {

    /** A user whose mapping was not copied because the database disagrees; never overwritten. */
    public record Conflict(String oid, String graphAcsUserId, String reason) {
    }

    private final boolean dryRun;
    private long usersScanned;
    private long mappingsFound;
    private long migrated;
    private long migratedUnsigned;
    private long alreadyPresent;
    private long unsignedSkipped;
    private final List<String> tampered = new ArrayList<>();
    private final List<Conflict> conflicts = new ArrayList<>();

    MigrationReport(boolean dryRun) {
        this.dryRun = dryRun;
    }

    void recordUser() {
        usersScanned++;
    }

    void recordMapping() {
        mappingsFound++;
    }

    void recordMigrated(boolean unsigned) {
        migrated++;
        if (unsigned) {
            migratedUnsigned++;
        }
    }

    void recordAlreadyPresent() {
        alreadyPresent++;
    }

    void recordUnsignedSkipped() {
        unsignedSkipped++;
    }

    void recordTampered(String oid) {
        tampered.add(oid);
    }

    void recordConflict(Conflict conflict) {
        conflicts.add(conflict);
    }

    public boolean dryRun() {
        return dryRun;
    }

    public long usersScanned() {
        return usersScanned;
    }

    public long mappingsFound() {
        return mappingsFound;
    }

    /** Rows written (in a dry run: rows that would be written). */
    public long migrated() {
        return migrated;
    }

    public long alreadyPresent() {
        return alreadyPresent;
    }

    public long unsignedSkipped() {
        return unsignedSkipped;
    }

    /** The {@code oid}s whose mapping's signature does not verify, in the order found. */
    public List<String> tampered() {
        return List.copyOf(tampered);
    }

    public List<Conflict> conflicts() {
        return List.copyOf(conflicts);
    }

    /** 0 when nothing was tampered or conflicting, 1 otherwise. */
    public int exitCode() {
        return tampered.isEmpty() && conflicts.isEmpty() ? 0 : 1;
    }

    /** One line per outcome, then one per tampered mapping and per conflict. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add("users scanned: " + usersScanned);
        lines.add("mappings found: " + mappingsFound);
        String migratedNote = migratedUnsigned == 0 ? "" : " (" + migratedUnsigned + " unsigned, accepted by MAPPING_ACCEPT_UNSIGNED=true)";
        lines.add("migrated: " + migrated + migratedNote + (dryRun ? " (dry run: would be written, nothing was)" : ""));
        lines.add("already present: " + alreadyPresent);
        lines.add("unsigned skipped: " + unsignedSkipped);
        lines.add("tampered skipped: " + tampered.size());
        lines.add("conflicts: " + conflicts.size());
        tampered.forEach(oid -> lines.add("tampered: oid=" + oid
                + " (the signature does not verify for this user and identity, or names a key not in MAPPING_SIGNING_KEYS)"));
        conflicts.forEach(c -> lines.add("conflict: oid=" + c.oid() + " Graph has " + c.graphAcsUserId() + "; " + c.reason()));
        return lines;
    }
}
