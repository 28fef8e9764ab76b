-- What FileService knows about an uploaded file; the bytes live in the BlobStore under the
-- same id. No foreign key to users: files sent in conversations outlive their uploader.
CREATE TABLE uploads (
    file_id      TEXT    PRIMARY KEY,
    uploader_id  INTEGER NOT NULL,
    kind         INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    public       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX uploads_by_uploader ON uploads (uploader_id, created_at);
