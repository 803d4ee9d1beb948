-- Sign-in throttling as gates (docs/decisions/0005-sign-in-throttling.md): one
-- row per account, client address, known device or password-reset key. An
-- attempt is reserved by one upsert that passes only while the gate is open,
-- so parallel requests and several nodes count every attempt before any
-- password is checked.
CREATE TABLE sign_in_gates (
    gate       TEXT   NOT NULL PRIMARY KEY,
    attempts   BIGINT NOT NULL,
    delay_ms   BIGINT NOT NULL,
    open_at    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sign_in_gates_updated ON sign_in_gates (updated_at);

-- Browsers that have signed in to an account before (a cookie holding a random
-- token; only its hash is here). Their attempts pass their own gate, so that
-- nobody can keep a user out by failing on purpose against the account.
CREATE TABLE sign_in_devices (
    token_hash   TEXT   NOT NULL PRIMARY KEY,
    email_key    TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX sign_in_devices_used ON sign_in_devices (last_used_at);

-- A session also ends at a fixed time after sign-in, whatever the activity.
ALTER TABLE sessions ADD COLUMN ends_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET ends_at = created_at + 43200000;

-- A company's change of what it does here (受注・発注) waits for review, as a
-- change of its legal identity does.
CREATE TABLE company_dealings_changes (
    id                INTEGER PRIMARY KEY,
    company_id        BIGINT  NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    proposed_orders   INTEGER NOT NULL CHECK (proposed_orders IN (0, 1)),
    proposed_receives INTEGER NOT NULL CHECK (proposed_receives IN (0, 1)),
    status            TEXT    NOT NULL,
    reason            TEXT,
    requested_by      BIGINT  NOT NULL,
    requested_at      BIGINT  NOT NULL,
    reviewed_by       BIGINT,
    reviewed_at       BIGINT
);
CREATE INDEX company_dealings_changes_pending ON company_dealings_changes (company_id, status);
