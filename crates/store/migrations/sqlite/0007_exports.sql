-- Exports of personal data (the support center's CRM): each one recorded,
-- so that "only what changed since the last export" has a starting point.
-- Every export is also in the audit log.

CREATE TABLE exports (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    format       TEXT    NOT NULL,
    changed_only INTEGER NOT NULL CHECK (changed_only IN (0, 1)),
    since        BIGINT,
    watermark    BIGINT  NOT NULL,
    row_count    BIGINT  NOT NULL,
    actor_label  TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX exports_kind ON exports (kind, id);
