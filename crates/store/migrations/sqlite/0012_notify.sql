-- おすすめ案件通知: users' notification settings, what matched (each case
-- once per setting), how far the matcher has read the cases, and the
-- one-click unsubscribe tokens.

CREATE TABLE notify_settings (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    criteria     TEXT    NOT NULL,
    frequency    TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    last_sent_at BIGINT
);
CREATE INDEX notify_settings_user ON notify_settings (user_id, id);

-- Each criterion of each setting as a row, for the administrator's statistics.
CREATE TABLE notify_setting_terms (
    setting_id BIGINT NOT NULL REFERENCES notify_settings (id) ON DELETE CASCADE,
    facet      TEXT   NOT NULL,
    value      TEXT   NOT NULL
);
CREATE INDEX notify_setting_terms_facet ON notify_setting_terms (facet, value);
CREATE INDEX notify_setting_terms_setting ON notify_setting_terms (setting_id);

CREATE TABLE notify_matches (
    setting_id BIGINT NOT NULL REFERENCES notify_settings (id) ON DELETE CASCADE,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    matched_at BIGINT NOT NULL,
    mailed_at  BIGINT,
    PRIMARY KEY (setting_id, case_id)
);
CREATE INDEX notify_matches_unmailed ON notify_matches (mailed_at, setting_id);

-- The cases' change sequence the matcher has read up to; a new installation
-- starts at the cases it already holds, so nobody is mailed the past.
CREATE TABLE notify_cursor (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    case_seq BIGINT  NOT NULL
);
INSERT INTO notify_cursor (id, case_seq) SELECT 1, COALESCE(MAX(change_seq), 0) FROM cases;

-- A user's unsubscribe link, and why their notifications were paused (an
-- address that bounced, or the link).
CREATE TABLE notify_users (
    user_id       BIGINT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token         TEXT   NOT NULL UNIQUE,
    paused_at     BIGINT,
    paused_reason TEXT
);
