-- The business-partner directory (issue 16): what a company shows of
-- itself beyond its application. One row per company that has a profile;
-- `listed` is the company's choice to be in the directory at all,
-- `hidden_reason` an operator's hiding of it. `visibility` maps each
-- profile field (domain::directory::ProfileField) to who may see it
-- (public, members, hidden) as JSON; a field not named is public.
-- Certifications and programmes are codes, one per line. A company works
-- in one or more industries (JSIC divisions; the section follows from the
-- division).
CREATE TABLE company_profiles (
    company_id     BIGINT  NOT NULL PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    listed         INTEGER NOT NULL DEFAULT 1 CHECK (listed IN (0, 1)),
    municipality   TEXT    NOT NULL DEFAULT '',
    products       TEXT    NOT NULL DEFAULT '',
    certifications TEXT    NOT NULL DEFAULT '',
    programmes     TEXT    NOT NULL DEFAULT '',
    visibility     TEXT    NOT NULL DEFAULT '{}',
    hidden_reason  TEXT,
    updated_at     BIGINT  NOT NULL
);

CREATE TABLE company_industries (
    company_id    BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    division_code TEXT   NOT NULL REFERENCES industry_divisions (code),
    PRIMARY KEY (company_id, division_code)
);

CREATE CONSTRAINT TRIGGER company_profiles_site_written AFTER INSERT OR DELETE ON company_profiles
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER company_profiles_site_updated AFTER UPDATE ON company_profiles
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER company_industries_site_written AFTER INSERT OR DELETE ON company_industries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER company_industries_site_updated AFTER UPDATE ON company_industries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();
