-- Site content (docs/decisions/0009): pages in a tree, posts in categories
-- with tags (one per line in `tags`), and every saved state of an item as a
-- revision.
--
-- `uid` names an item the same way on every installation, so that a bundle
-- made on staging updates production's item without changing production's
-- id, which other rows point to. `path` is a page's address from its
-- ancestors' slugs (/project/fair/2026) or a post's (/news/{slug}); one
-- address, one item. A scheduled item keeps status 'scheduled' and its time
-- in `published_at`: whether a visitor sees it is decided when it is read.

CREATE TABLE content_categories (
    code       TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    sort_order INTEGER NOT NULL
);
INSERT INTO content_categories (code, name, sort_order) VALUES
    ('news', 'お知らせ', 1),
    ('fair', 'ビジネスフロンティア・フェア', 2),
    ('market-support', 'マーケットサポート', 3),
    ('competition', '世界発信コンペティション', 4),
    ('support', 'その他支援情報', 5);

CREATE TABLE content_items (
    id              INTEGER PRIMARY KEY,
    uid             TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('page', 'post')),
    parent_id       BIGINT  REFERENCES content_items (id),
    slug            TEXT    NOT NULL,
    path            TEXT    NOT NULL UNIQUE,
    sort_order      INTEGER NOT NULL,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    summary         TEXT,
    category        TEXT    REFERENCES content_categories (code),
    tags            TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    published_at    BIGINT,
    event_starts_at BIGINT,
    event_ends_at   BIGINT,
    venue           TEXT,
    apply_until     BIGINT,
    division        TEXT,
    help_key        TEXT    UNIQUE,
    revision        BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    updated_by      BIGINT  REFERENCES users (id)
);
CREATE INDEX content_items_parent ON content_items (parent_id, sort_order, id);
CREATE INDEX content_items_listed ON content_items (kind, category, published_at);

-- Each save's whole state (JSON), numbered per item; thinned to the newest
-- 50 and one per month before them (content::revisions).
CREATE TABLE content_revisions (
    id       INTEGER PRIMARY KEY,
    item_id  BIGINT  NOT NULL REFERENCES content_items (id),
    number   BIGINT  NOT NULL,
    saved_at BIGINT  NOT NULL,
    saved_by BIGINT  REFERENCES users (id),
    snapshot TEXT    NOT NULL,
    UNIQUE (item_id, number)
);

CREATE TRIGGER content_categories_site_insert AFTER INSERT ON content_categories
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_categories_site_update AFTER UPDATE ON content_categories
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_categories_site_delete AFTER DELETE ON content_categories
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_items_site_insert AFTER INSERT ON content_items
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_items_site_update AFTER UPDATE ON content_items
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_items_site_delete AFTER DELETE ON content_items
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
