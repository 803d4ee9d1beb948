-- The opening (開札) of an e-tender: each bid as opened, and the outcome —
-- the winner and, for a tie, the 電子くじ's published figures.

CREATE TABLE tender_openings (
    case_id      BIGINT  NOT NULL PRIMARY KEY REFERENCES tenders (case_id),
    opened_at    BIGINT  NOT NULL,
    opened_by    TEXT    NOT NULL,
    winner_bid   BIGINT  REFERENCES bids (id),
    kuji_sum     BIGINT,
    kuji_drawn   INTEGER
);

CREATE TABLE bid_results (
    bid_id          BIGINT  NOT NULL PRIMARY KEY REFERENCES bids (id),
    case_id         BIGINT  NOT NULL REFERENCES tenders (case_id),
    amount_yen      BIGINT  NOT NULL,
    technical_score BIGINT  NOT NULL,
    kuji            INTEGER NOT NULL,
    validity        TEXT    NOT NULL,
    kuji_position   INTEGER,
    kuji_part       BIGINT
);
CREATE INDEX bid_results_case ON bid_results (case_id);
