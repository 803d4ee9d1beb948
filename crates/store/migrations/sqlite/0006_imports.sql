-- Imports from outside sources: each run with its counts, the records set
-- aside with their reason and raw text, and the history of every amendment.

CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL,
    origin      TEXT    NOT NULL,
    started_at  BIGINT  NOT NULL,
    finished_at BIGINT,
    status      TEXT    NOT NULL,
    seen        BIGINT  NOT NULL DEFAULT 0,
    expected    BIGINT,
    inserted    BIGINT  NOT NULL DEFAULT 0,
    updated     BIGINT  NOT NULL DEFAULT 0,
    unchanged   BIGINT  NOT NULL DEFAULT 0,
    rejected    BIGINT  NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX import_runs_source ON import_runs (source, started_at);

CREATE TABLE import_quarantine (
    id         INTEGER PRIMARY KEY,
    run_id     BIGINT  NOT NULL REFERENCES import_runs (id),
    source     TEXT    NOT NULL,
    source_key TEXT,
    reason     TEXT    NOT NULL,
    raw        TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX import_quarantine_run ON import_quarantine (run_id, id);

-- One row per amendment of a case: what changed, before and after (JSON).
CREATE TABLE case_history (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT  NOT NULL REFERENCES cases (id),
    run_id     BIGINT  REFERENCES import_runs (id),
    changed_at BIGINT  NOT NULL,
    changes    TEXT    NOT NULL
);
CREATE INDEX case_history_case ON case_history (case_id, id);

-- Results published by a source for a case: awards and bids (OCDS).
CREATE TABLE case_results (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT  NOT NULL REFERENCES cases (id),
    kind        TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    party       TEXT    NOT NULL,
    amount      TEXT,
    currency    TEXT,
    status      TEXT,
    result_date BIGINT
);
CREATE INDEX case_results_case ON case_results (case_id, id);
