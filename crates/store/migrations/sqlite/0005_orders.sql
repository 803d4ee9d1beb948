-- Private orders and technical needs: receiving companies' entries
-- (受注エントリー), the messages between the two companies, and uploaded files.

CREATE TABLE case_entries (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT  NOT NULL REFERENCES cases (id),
    company_id BIGINT  NOT NULL REFERENCES companies (id),
    user_id    BIGINT  REFERENCES users (id),
    status     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    UNIQUE (case_id, company_id)
);
CREATE INDEX case_entries_company ON case_entries (company_id, created_at);

-- The entry's first message is the entry itself; replies follow.
CREATE TABLE entry_messages (
    id           INTEGER PRIMARY KEY,
    entry_id     BIGINT  NOT NULL REFERENCES case_entries (id),
    from_orderer INTEGER NOT NULL,
    user_id      BIGINT  REFERENCES users (id),
    author_name  TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX entry_messages_entry ON entry_messages (entry_id, id);

-- Uploaded files live in the database: every node serves them, and a record
-- and its files are written in one transaction (docs/decisions/0003).
-- A file belongs to a case (a document) or to a message (an attachment).
CREATE TABLE files (
    id           INTEGER PRIMARY KEY,
    case_id      BIGINT  REFERENCES cases (id),
    message_id   BIGINT  REFERENCES entry_messages (id),
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    sha256       TEXT    NOT NULL,
    content      BLOB    NOT NULL,
    uploaded_by  BIGINT  REFERENCES users (id),
    created_at   BIGINT  NOT NULL
);
CREATE INDEX files_case ON files (case_id);
CREATE INDEX files_message ON files (message_id);
