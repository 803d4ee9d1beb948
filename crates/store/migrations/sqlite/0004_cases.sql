-- Cases (案件) of every kind in one table, their documents, and the change
-- sequence that search indexes follow. See docs/decisions/0001 for the types.

CREATE TABLE cases (
    id                     INTEGER PRIMARY KEY,
    kind                   TEXT    NOT NULL,
    title                  TEXT    NOT NULL,
    description            TEXT    NOT NULL DEFAULT '',
    category               TEXT    NOT NULL,
    procedure              TEXT    NOT NULL,
    organization_name      TEXT    NOT NULL DEFAULT '',
    organization_id        BIGINT  REFERENCES ordering_organizations (id),
    company_id             BIGINT  REFERENCES companies (id),
    contract_department_id BIGINT  REFERENCES contract_departments (id),
    prefecture_code        INTEGER REFERENCES prefectures (code),
    municipality_code      TEXT,
    municipality_name      TEXT,
    qualification_grade    TEXT,
    published_at           BIGINT,
    application_deadline   BIGINT,
    submission_deadline    BIGINT,
    opening_at             BIGINT,
    status                 TEXT    NOT NULL,
    review_comment         TEXT,
    source                 TEXT    NOT NULL,
    source_key             TEXT    NOT NULL,
    source_url             TEXT,
    content_hash           TEXT    NOT NULL,
    created_by             BIGINT  REFERENCES users (id),
    change_seq             BIGINT  NOT NULL,
    created_at             BIGINT  NOT NULL,
    updated_at             BIGINT  NOT NULL,
    UNIQUE (source, source_key)
);
CREATE INDEX cases_change_seq ON cases (change_seq);
CREATE INDEX cases_status_deadline ON cases (status, submission_deadline);
CREATE INDEX cases_company ON cases (company_id);

CREATE TABLE case_documents (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    url        TEXT    NOT NULL,
    sort_order INTEGER NOT NULL
);
CREATE INDEX case_documents_case ON case_documents (case_id, sort_order);

-- One row: the newest change sequence number. A writer bumps it first in its
-- transaction, so numbers are handed out in commit order and a follower that
-- has seen N has seen every change up to N.
CREATE TABLE case_change_head (
    id  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq BIGINT  NOT NULL
);
INSERT INTO case_change_head (id, seq) VALUES (1, 0);
