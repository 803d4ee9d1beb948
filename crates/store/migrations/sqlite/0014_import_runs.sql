-- Import runs: when a run last showed progress (a run that stops showing any
-- is found abandoned instead of shown as running forever), and the records a
-- source publishes that are not tenders, counted apart from errors.
ALTER TABLE import_runs ADD COLUMN heartbeat_at BIGINT;
ALTER TABLE import_runs ADD COLUMN skipped BIGINT NOT NULL DEFAULT 0;
