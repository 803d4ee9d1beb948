-- The site's change sequence: one number that every committed change to what
-- a visitor can see moves on (the tables below, by trigger, in the writer's
-- own transaction, once, when it commits; an update that changes nothing, such
-- as the row lock a tender's decisions take, does not count). The render cache
-- keys a page by it, so a page is never served from before a commit that could
-- change it (docs/decisions/0008). A table a
-- public page reads must be added here; store's test
-- `every_table_is_watched_by_the_site_sequence_or_named_private` makes a new
-- table choose.
CREATE TABLE site_changes (
    id  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq BIGINT  NOT NULL
);
INSERT INTO site_changes (id, seq) VALUES (1, 1);

-- Deferred to the commit, so that the one row is locked only for the moment
-- before it and after every other lock the transaction takes (no deadlock
-- with writers that lock rows in another order), and moved once per
-- transaction (a setting local to the transaction remembers it).
CREATE FUNCTION site_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('chance_navi.site_changed', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('chance_navi.site_changed', 'yes', true);
        UPDATE site_changes SET seq = seq + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER prefectures_site_written AFTER INSERT OR DELETE ON prefectures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER prefectures_site_updated AFTER UPDATE ON prefectures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER industry_sections_site_written AFTER INSERT OR DELETE ON industry_sections
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER industry_sections_site_updated AFTER UPDATE ON industry_sections
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER industry_divisions_site_written AFTER INSERT OR DELETE ON industry_divisions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER industry_divisions_site_updated AFTER UPDATE ON industry_divisions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER member_organizations_site_written AFTER INSERT OR DELETE ON member_organizations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER member_organizations_site_updated AFTER UPDATE ON member_organizations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER ordering_organizations_site_written AFTER INSERT OR DELETE ON ordering_organizations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER ordering_organizations_site_updated AFTER UPDATE ON ordering_organizations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER contract_departments_site_written AFTER INSERT OR DELETE ON contract_departments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER contract_departments_site_updated AFTER UPDATE ON contract_departments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER companies_site_written AFTER INSERT OR DELETE ON companies
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER companies_site_updated AFTER UPDATE ON companies
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER cases_site_written AFTER INSERT OR DELETE ON cases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER cases_site_updated AFTER UPDATE ON cases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER case_documents_site_written AFTER INSERT OR DELETE ON case_documents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER case_documents_site_updated AFTER UPDATE ON case_documents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER case_history_site_written AFTER INSERT OR DELETE ON case_history
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER case_history_site_updated AFTER UPDATE ON case_history
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER case_results_site_written AFTER INSERT OR DELETE ON case_results
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER case_results_site_updated AFTER UPDATE ON case_results
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER tenders_site_written AFTER INSERT OR DELETE ON tenders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER tenders_site_updated AFTER UPDATE ON tenders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER tender_questions_site_written AFTER INSERT OR DELETE ON tender_questions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER tender_questions_site_updated AFTER UPDATE ON tender_questions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER tender_openings_site_written AFTER INSERT OR DELETE ON tender_openings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER tender_openings_site_updated AFTER UPDATE ON tender_openings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();

CREATE CONSTRAINT TRIGGER bid_results_site_written AFTER INSERT OR DELETE ON bid_results
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_changed();
CREATE CONSTRAINT TRIGGER bid_results_site_updated AFTER UPDATE ON bid_results
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION site_changed();
