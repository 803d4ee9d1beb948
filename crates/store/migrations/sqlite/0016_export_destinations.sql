-- Exports of personal data: the destination each went to, so that "only
-- what changed since the previous export" starts where the previous export
-- to the same destination ended (an ad-hoc export moves no destination's
-- starting point; exports before this change went to the CRM), and the
-- values CP932 could not hold, by company and field.
ALTER TABLE exports ADD COLUMN destination TEXT;
UPDATE exports SET destination = 'crm';
CREATE INDEX exports_destination ON exports (kind, destination, id);

CREATE TABLE export_problems (
    id         INTEGER PRIMARY KEY,
    export_id  BIGINT  NOT NULL REFERENCES exports (id),
    company_id BIGINT  NOT NULL,
    company    TEXT    NOT NULL,
    field      TEXT    NOT NULL,
    characters TEXT    NOT NULL
);
CREATE INDEX export_problems_export ON export_problems (export_id, id);
