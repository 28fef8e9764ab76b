-- A listing order for each uploader's files (ListFiles pages by it) and the sums the
-- per-user quota reads: seq increases with every upload (existing rows are numbered too).
ALTER TABLE uploads ADD COLUMN seq BIGSERIAL;
CREATE INDEX uploads_by_uploader_seq ON uploads (uploader_id, seq);
