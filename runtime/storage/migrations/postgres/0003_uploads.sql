-- What FileService knows about an uploaded file; the bytes live in the BlobStore under the
-- same id. No foreign key to users: files sent in conversations outlive their uploader.
CREATE TABLE uploads (
    file_id      TEXT     PRIMARY KEY,
    uploader_id  BIGINT   NOT NULL,
    kind         INTEGER  NOT NULL,
    name         TEXT     NOT NULL,
    content_type TEXT     NOT NULL,
    size         BIGINT   NOT NULL,
    sha256       TEXT     NOT NULL,
    created_at   BIGINT   NOT NULL,
    public       BOOLEAN  NOT NULL DEFAULT FALSE
);
CREATE INDEX uploads_by_uploader ON uploads (uploader_id, created_at);
