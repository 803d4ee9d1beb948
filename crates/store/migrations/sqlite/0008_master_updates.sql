-- The yearly update of the contract-department master: each uploaded
-- master (kept as uploaded), and once applied, every change it made.

CREATE TABLE master_updates (
    id               INTEGER PRIMARY KEY,
    fiscal_year      INTEGER NOT NULL,
    status           TEXT    NOT NULL,
    csv              TEXT    NOT NULL,
    created_by       BIGINT  REFERENCES users (id),
    created_at       BIGINT  NOT NULL,
    applied_at       BIGINT,
    applied_by_label TEXT
);

CREATE TABLE master_update_changes (
    id              INTEGER PRIMARY KEY,
    update_id       BIGINT  NOT NULL REFERENCES master_updates (id),
    organization_id BIGINT  NOT NULL REFERENCES ordering_organizations (id),
    kind            TEXT    NOT NULL,
    old_code        TEXT,
    old_name        TEXT,
    new_code        TEXT,
    new_name        TEXT,
    moved_cases     BIGINT  NOT NULL DEFAULT 0,
    moved_users     BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX master_update_changes_update ON master_update_changes (update_id, id);
