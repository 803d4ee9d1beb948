-- The site's change sequence: one number that every committed change to what
-- a visitor can see moves on (the tables below, by trigger, in the writer's own
-- transaction). The render cache keys a page by it, so a page is never served
-- from before a commit that could change it (docs/decisions/0008). A table a
-- public page reads must be added here; store's test
-- `every_table_is_watched_by_the_site_sequence_or_named_private` makes a new
-- table choose.
CREATE TABLE site_changes (
    id  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq BIGINT  NOT NULL
);
INSERT INTO site_changes (id, seq) VALUES (1, 1);

CREATE TRIGGER prefectures_site_insert AFTER INSERT ON prefectures
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER prefectures_site_update AFTER UPDATE ON prefectures
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER prefectures_site_delete AFTER DELETE ON prefectures
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER industry_sections_site_insert AFTER INSERT ON industry_sections
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER industry_sections_site_update AFTER UPDATE ON industry_sections
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER industry_sections_site_delete AFTER DELETE ON industry_sections
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER industry_divisions_site_insert AFTER INSERT ON industry_divisions
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER industry_divisions_site_update AFTER UPDATE ON industry_divisions
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER industry_divisions_site_delete AFTER DELETE ON industry_divisions
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER member_organizations_site_insert AFTER INSERT ON member_organizations
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER member_organizations_site_update AFTER UPDATE ON member_organizations
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER member_organizations_site_delete AFTER DELETE ON member_organizations
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER ordering_organizations_site_insert AFTER INSERT ON ordering_organizations
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER ordering_organizations_site_update AFTER UPDATE ON ordering_organizations
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER ordering_organizations_site_delete AFTER DELETE ON ordering_organizations
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER contract_departments_site_insert AFTER INSERT ON contract_departments
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER contract_departments_site_update AFTER UPDATE ON contract_departments
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER contract_departments_site_delete AFTER DELETE ON contract_departments
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER companies_site_insert AFTER INSERT ON companies
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER companies_site_update AFTER UPDATE ON companies
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER companies_site_delete AFTER DELETE ON companies
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER cases_site_insert AFTER INSERT ON cases
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER cases_site_update AFTER UPDATE ON cases
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER cases_site_delete AFTER DELETE ON cases
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER case_documents_site_insert AFTER INSERT ON case_documents
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER case_documents_site_update AFTER UPDATE ON case_documents
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER case_documents_site_delete AFTER DELETE ON case_documents
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER case_history_site_insert AFTER INSERT ON case_history
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER case_history_site_update AFTER UPDATE ON case_history
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER case_history_site_delete AFTER DELETE ON case_history
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER case_results_site_insert AFTER INSERT ON case_results
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER case_results_site_update AFTER UPDATE ON case_results
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER case_results_site_delete AFTER DELETE ON case_results
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER tenders_site_insert AFTER INSERT ON tenders
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER tenders_site_update AFTER UPDATE ON tenders
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER tenders_site_delete AFTER DELETE ON tenders
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER tender_questions_site_insert AFTER INSERT ON tender_questions
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER tender_questions_site_update AFTER UPDATE ON tender_questions
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER tender_questions_site_delete AFTER DELETE ON tender_questions
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER tender_openings_site_insert AFTER INSERT ON tender_openings
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER tender_openings_site_update AFTER UPDATE ON tender_openings
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER tender_openings_site_delete AFTER DELETE ON tender_openings
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER bid_results_site_insert AFTER INSERT ON bid_results
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER bid_results_site_update AFTER UPDATE ON bid_results
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;

CREATE TRIGGER bid_results_site_delete AFTER DELETE ON bid_results
    BEGIN UPDATE site_changes SET seq = seq + 1 WHERE id = 1; END;
