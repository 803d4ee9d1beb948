-- Every OCDS release imported, by contracting process (ocid), so that a
-- process is compiled from all its releases in date order whatever order
-- they arrived in: a tender release imported after its award no longer
-- reopens the case, and a contract release enriches the case it belongs to.
CREATE TABLE ocds_releases (
    ocid         TEXT   NOT NULL,
    release_id   TEXT   NOT NULL,
    release_date BIGINT,
    body         TEXT   NOT NULL,
    imported_at  BIGINT NOT NULL,
    PRIMARY KEY (ocid, release_id)
);
