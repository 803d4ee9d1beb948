-- The e-tender's workflow around the bids: what a company must meet to take
-- part (参加資格), its application (参加希望申請) with documents and the
-- grade it declares, 技術点 for 総合評価, questions (質問) answered publicly
-- (回答) without the asker's name, and per-user API tokens.

ALTER TABLE tenders ADD COLUMN required_grades TEXT NOT NULL DEFAULT '';
ALTER TABLE tenders ADD COLUMN required_prefectures TEXT NOT NULL DEFAULT '';
ALTER TABLE tenders ADD COLUMN required_industries TEXT NOT NULL DEFAULT '';
ALTER TABLE tenders ADD COLUMN requested_documents TEXT NOT NULL DEFAULT '';

ALTER TABLE tender_participants ADD COLUMN declared_grade TEXT;
ALTER TABLE tender_participants ADD COLUMN message TEXT NOT NULL DEFAULT '';
ALTER TABLE tender_participants ADD COLUMN technical_score BIGINT;

-- An application's documents belong to its participant row.
ALTER TABLE files ADD COLUMN participant_id BIGINT REFERENCES tender_participants (id);
CREATE INDEX files_participant ON files (participant_id);

CREATE TABLE tender_questions (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT  NOT NULL REFERENCES tenders (case_id),
    company_id  BIGINT  NOT NULL REFERENCES companies (id),
    question    TEXT    NOT NULL,
    asked_at    BIGINT  NOT NULL,
    answer      TEXT,
    answered_at BIGINT,
    answered_by BIGINT  REFERENCES users (id)
);
CREATE INDEX tender_questions_case ON tender_questions (case_id, asked_at);

-- Only the token's hash is kept; the token is shown once, when made.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);
