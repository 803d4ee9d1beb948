-- E-tenders (電子調達案件): the tender beside its case, the companies taking
-- part, and the sealed bids. A bid's amount is never stored in the clear:
-- `sealed` is the bid sealed to the tender's public key; the private key is
-- stored only wrapped under the server's key-encryption key.

CREATE TABLE tenders (
    case_id                 BIGINT  NOT NULL PRIMARY KEY REFERENCES cases (id),
    stage                   TEXT    NOT NULL,
    published_at            BIGINT  NOT NULL,
    application_deadline    BIGINT  NOT NULL,
    qualification_notice_at BIGINT  NOT NULL,
    bidding_opens_at        BIGINT  NOT NULL,
    bid_deadline            BIGINT  NOT NULL,
    opening_at              BIGINT  NOT NULL,
    ceiling_yen             BIGINT  NOT NULL,
    ceiling_public          INTEGER NOT NULL CHECK (ceiling_public IN (0, 1)),
    minimum_yen             BIGINT,
    award_method            TEXT    NOT NULL,
    public_key              BLOB    NOT NULL,
    wrapped_secret          BLOB    NOT NULL,
    created_by              BIGINT  REFERENCES users (id),
    created_at              BIGINT  NOT NULL,
    updated_at              BIGINT  NOT NULL
);

CREATE TABLE tender_participants (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT  NOT NULL REFERENCES tenders (case_id),
    company_id  BIGINT  NOT NULL REFERENCES companies (id),
    status      TEXT    NOT NULL,
    reason      TEXT,
    applied_at  BIGINT,
    decided_at  BIGINT,
    UNIQUE (case_id, company_id)
);

-- One row per company and tender: its sealed bid, or its 辞退.
CREATE TABLE bids (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT  NOT NULL REFERENCES tenders (case_id),
    company_id  BIGINT  NOT NULL REFERENCES companies (id),
    user_id     BIGINT  REFERENCES users (id),
    receipt_no  TEXT    NOT NULL UNIQUE,
    received_at BIGINT  NOT NULL,
    declined    INTEGER NOT NULL CHECK (declined IN (0, 1)),
    sealed      BLOB,
    sealed_hash TEXT    NOT NULL,
    UNIQUE (case_id, company_id)
);
CREATE INDEX bids_case ON bids (case_id, received_at);
