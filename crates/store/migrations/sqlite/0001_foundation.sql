-- Foundation: named leases, so that a scheduled job runs on one node at a time.
-- Portable subset (docs/decisions/0001-storage-two-engines.md): timestamps are
-- BIGINT milliseconds since the Unix epoch (UTC), flags INTEGER 0/1.
CREATE TABLE leases (
    name        TEXT    NOT NULL PRIMARY KEY,
    holder      TEXT    NOT NULL,
    acquired_at BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
