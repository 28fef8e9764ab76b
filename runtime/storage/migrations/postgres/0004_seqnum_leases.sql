-- seqsvr leases: one seqnum instance at a time hands out the numbers of a section. `owner` is
-- the instance id, `lease_until` the expiry in ms on the database's own clock (so instances
-- on different machines agree); a ceiling is raised only under an unexpired lease.
ALTER TABLE seqnum_ceilings
    ADD COLUMN owner       TEXT,
    ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
