-- Backups and restores (hr_core.backup.restore): reads of PostgreSQL's catalogue, PostgreSQL only.

-- name: restore_running
-- PostgreSQL only: whether some session holds the restore's advisory lock :key in this database.
SELECT EXISTS (
    SELECT 1 FROM pg_locks
    WHERE locktype = 'advisory' AND classid = 0 AND objid = CAST(:key AS oid) AND objsubid = 1 AND granted
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
);

-- name: list_restore_indexes
-- PostgreSQL only: the table's indexes that back no constraint (dropped and rebuilt around a restore).
SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition
FROM pg_index i
WHERE indrelid = CAST(:t AS regclass) AND NOT indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1;

-- name: list_restore_foreign_keys
-- PostgreSQL only: the table's foreign keys with their definitions (dropped and re-added around a restore).
SELECT conname AS name, pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'
ORDER BY 1;

-- name: get_binary_copy_types
-- PostgreSQL only: each column's type name (hr_core.backup.restore picks the binary COPY types from them).
SELECT attname AS name, format_type(atttypid, NULL) AS type
FROM pg_attribute
WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped
ORDER BY attnum;
