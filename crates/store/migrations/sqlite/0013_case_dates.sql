-- A case's dates as their source gave them: the end of the delivery or
-- performance period (納入・履行期限), and which dates came as a day only,
-- without a time of day (bits of domain::CaseDate), so that no time is shown
-- that the source did not state.
ALTER TABLE cases ADD COLUMN period_end BIGINT;
ALTER TABLE cases ADD COLUMN day_only INTEGER NOT NULL DEFAULT 0;
