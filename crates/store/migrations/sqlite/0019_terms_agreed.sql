-- Which version of the terms of use each person last agreed to, and when:
-- the application records it, and a company user whose version is not the
-- one in force is asked to agree again at the next sign-in.
ALTER TABLE users ADD COLUMN terms_version TEXT;
ALTER TABLE users ADD COLUMN terms_agreed_at INTEGER;
