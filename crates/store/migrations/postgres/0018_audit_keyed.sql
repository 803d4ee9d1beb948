-- The audit chain anchored outside the database (docs/decisions/0005): entries
-- from keyed_from on carry a hash keyed with the audit key, which the database
-- never holds. Entries written before this migration keep their unkeyed
-- (version 1) hashes; keyed_from says where they end, and every signed
-- checkpoint repeats it, so moving it is found.
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT NOT NULL DEFAULT 1;
UPDATE audit_head SET keyed_from = seq + 1;

-- Signed checkpoints of the head (Ed25519 over seq, head_hash, at and
-- keyed_from), published at /audit/checkpoints for outsiders to keep.
CREATE TABLE audit_checkpoints (
    seq        BIGINT NOT NULL,
    head_hash  TEXT   NOT NULL,
    at         BIGINT NOT NULL,
    keyed_from BIGINT NOT NULL,
    signature  TEXT   NOT NULL,
    PRIMARY KEY (seq, at)
);
