-- The media library (docs/decisions/0009): images and PDFs for the site's
-- content, one row per distinct file (named by its SHA-256, however often it
-- is uploaded), served at /media/{sha256}.{ext} with long cache headers. An
-- image's size and alternative text go into the pages that show it, so the
-- table moves the site's change sequence.
CREATE TABLE content_media (
    id           INTEGER PRIMARY KEY,
    sha256       TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    width        BIGINT,
    height       BIGINT,
    alt          TEXT    NOT NULL,
    content      BLOB    NOT NULL,
    uploaded_by  BIGINT  REFERENCES users (id),
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);

CREATE TRIGGER content_media_site_insert AFTER INSERT ON content_media
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_media_site_update AFTER UPDATE ON content_media
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER content_media_site_delete AFTER DELETE ON content_media
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
