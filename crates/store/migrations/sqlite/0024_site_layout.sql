-- The site's menus and its two top pages' blocks (docs/decisions/0009),
-- arranged by operators. A menu link goes to an item (by id, so that it
-- follows the page when it moves) or to an address of the portal or
-- elsewhere. A block is one part of a top page: its kind says what it shows
-- (a lead text, a news list, the programmes' cards, the newest open cases,
-- links); `body` is Markdown for a lead or links, `category` narrows a news
-- list, `count` is how many entries a list shows.
CREATE TABLE content_menu_links (
    id       INTEGER PRIMARY KEY,
    menu     TEXT    NOT NULL CHECK (menu IN ('header', 'footer')),
    position INTEGER NOT NULL,
    label    TEXT    NOT NULL,
    item_id  BIGINT  REFERENCES content_items (id),
    url      TEXT,
    CHECK ((item_id IS NULL) <> (url IS NULL))
);
CREATE INDEX content_menu_links_menu ON content_menu_links (menu, position);

CREATE TABLE content_blocks (
    id       INTEGER PRIMARY KEY,
    top      TEXT    NOT NULL CHECK (top IN ('project', 'navi')),
    position INTEGER NOT NULL,
    kind     TEXT    NOT NULL CHECK (kind IN ('lead', 'news', 'programmes', 'cases', 'links')),
    title    TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    category TEXT    REFERENCES content_categories (code),
    count    INTEGER NOT NULL
);
CREATE INDEX content_blocks_top ON content_blocks (top, position);

CREATE TRIGGER content_menu_links_site_insert AFTER INSERT ON content_menu_links
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_menu_links_site_update AFTER UPDATE ON content_menu_links
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_menu_links_site_delete AFTER DELETE ON content_menu_links
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_blocks_site_insert AFTER INSERT ON content_blocks
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_blocks_site_update AFTER UPDATE ON content_blocks
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_blocks_site_delete AFTER DELETE ON content_blocks
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
