-- Accounts: masters, companies and their applications, users, sessions,
-- single-use tokens, sign-in attempts, the audit log and the mail outbox.
-- Portable subset: see docs/decisions/0001-storage-two-engines.md.

CREATE TABLE prefectures (
    code INTEGER NOT NULL PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
);

CREATE TABLE industry_sections (
    code       TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    sort_order INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE industry_divisions (
    code         TEXT    NOT NULL PRIMARY KEY,
    section_code TEXT    NOT NULL REFERENCES industry_sections (code),
    name         TEXT    NOT NULL,
    sort_order   INTEGER NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE member_organizations (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    sort_order INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE registration_triggers (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    sort_order INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE ordering_organizations (
    id        INTEGER PRIMARY KEY,
    name      TEXT    NOT NULL UNIQUE,
    name_kana TEXT    NOT NULL,
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE contract_departments (
    id              INTEGER PRIMARY KEY,
    organization_id BIGINT  NOT NULL REFERENCES ordering_organizations (id),
    code            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    UNIQUE (organization_id, code)
);

CREATE TABLE companies (
    id                      INTEGER PRIMARY KEY,
    corporate_number        TEXT    UNIQUE,
    sole_proprietor         INTEGER NOT NULL DEFAULT 0 CHECK (sole_proprietor IN (0, 1)),
    name                    TEXT    NOT NULL,
    name_kana               TEXT    NOT NULL,
    representative          TEXT    NOT NULL,
    prefecture_code         INTEGER NOT NULL REFERENCES prefectures (code),
    postal_code             TEXT    NOT NULL,
    address                 TEXT    NOT NULL,
    phone                   TEXT    NOT NULL,
    website                 TEXT,
    industry_division       TEXT    NOT NULL REFERENCES industry_divisions (code),
    capital_yen             BIGINT,
    employees               INTEGER,
    founded_year            INTEGER,
    description             TEXT    NOT NULL DEFAULT '',
    keywords                TEXT    NOT NULL DEFAULT '',
    registration_trigger_id BIGINT  REFERENCES registration_triggers (id),
    mail_magazine           INTEGER NOT NULL DEFAULT 0 CHECK (mail_magazine IN (0, 1)),
    orders                  INTEGER NOT NULL CHECK (orders IN (0, 1)),
    receives                INTEGER NOT NULL CHECK (receives IN (0, 1)),
    status                  TEXT    NOT NULL,
    status_reason           TEXT,
    reviewed_at             BIGINT,
    reviewed_by             BIGINT,
    created_at              BIGINT  NOT NULL,
    updated_at              BIGINT  NOT NULL,
    CHECK (orders = 1 OR receives = 1),
    CHECK (corporate_number IS NOT NULL OR sole_proprietor = 1)
);
CREATE INDEX companies_status ON companies (status, created_at);

CREATE TABLE company_member_organizations (
    company_id             BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    member_organization_id BIGINT NOT NULL REFERENCES member_organizations (id),
    PRIMARY KEY (company_id, member_organization_id)
);

-- A change of legal name or 法人番号 by an approved company waits here for review;
-- the company keeps working under its current identity meanwhile.
CREATE TABLE company_legal_changes (
    id                         INTEGER PRIMARY KEY,
    company_id                 BIGINT  NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    proposed_name              TEXT    NOT NULL,
    proposed_name_kana         TEXT    NOT NULL,
    proposed_corporate_number  TEXT,
    status                     TEXT    NOT NULL,
    reason                     TEXT,
    requested_by               BIGINT  NOT NULL,
    requested_at               BIGINT  NOT NULL,
    reviewed_by                BIGINT,
    reviewed_at                BIGINT
);

CREATE TABLE users (
    id                     INTEGER PRIMARY KEY,
    email                  TEXT    NOT NULL,
    email_key              TEXT    NOT NULL UNIQUE,
    name                   TEXT    NOT NULL,
    password_hash          TEXT    NOT NULL,
    company_id             BIGINT  REFERENCES companies (id),
    staff_role             TEXT,
    organization_id        BIGINT  REFERENCES ordering_organizations (id),
    contract_department_id BIGINT  REFERENCES contract_departments (id),
    email_confirmed_at     BIGINT,
    active                 INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at             BIGINT  NOT NULL,
    updated_at             BIGINT  NOT NULL,
    CHECK ((company_id IS NULL) <> (staff_role IS NULL)),
    CHECK (staff_role IS NULL OR staff_role IN ('admin', 'operator', 'ops', 'org_staff')),
    CHECK ((staff_role = 'org_staff') = (organization_id IS NOT NULL) OR staff_role IS NULL)
);
CREATE INDEX users_company ON users (company_id);

-- Single-use links (email confirmation, password reset, invitation): only the
-- SHA-256 of the token is kept, so a copy of the database cannot use them.
CREATE TABLE user_tokens (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

-- Sessions live in the database so that any node can serve any request; the
-- cookie holds the id, the table only its SHA-256.
CREATE TABLE sessions (
    id_hash      TEXT   NOT NULL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE sign_in_attempts (
    id        INTEGER PRIMARY KEY,
    email_key TEXT    NOT NULL,
    ip        TEXT    NOT NULL,
    at        BIGINT  NOT NULL,
    succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email_key, at);
CREATE INDEX sign_in_attempts_ip ON sign_in_attempts (ip, at);

-- Append-only and hash-chained: each entry's hash covers its content and the
-- previous entry's hash. audit_head holds the newest seq and hash; updating it
-- first serialises appenders on both engines.
CREATE TABLE audit_log (
    seq         BIGINT NOT NULL PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    BIGINT,
    actor_label TEXT   NOT NULL,
    action      TEXT   NOT NULL,
    target_type TEXT   NOT NULL,
    target_id   TEXT   NOT NULL,
    detail      TEXT   NOT NULL,
    ip          TEXT,
    prev_hash   TEXT   NOT NULL,
    hash        TEXT   NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

CREATE TABLE audit_head (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  BIGINT  NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- Mail waiting to be sent, sent, or given up on. Delivery retries with back-off
-- and survives restarts; dedupe_key makes "send once" idempotent.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    to_addr         TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT,
    headers         TEXT    NOT NULL DEFAULT '{}',
    dedupe_key      TEXT    UNIQUE,
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    claimed_until   BIGINT,
    last_error      TEXT,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
