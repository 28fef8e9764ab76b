-- The whole PRIM schema for SQLite (embedded mode). Times are ms since the epoch.
CREATE TABLE users (
    user_id       INTEGER PRIMARY KEY AUTOINCREMENT CHECK (user_id < 68719476736),
    nickname      TEXT    NOT NULL,
    avatar        TEXT    NOT NULL DEFAULT '',
    signature     TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
-- User ids start at 10000 (as in PostgreSQL), group ids at 2**36.
INSERT INTO sqlite_sequence (name, seq) VALUES ('users', 9999);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    device_id  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE friends (
    user_id        INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    peer_id        INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    remark         TEXT    NOT NULL DEFAULT '',
    status         INTEGER NOT NULL DEFAULT 1,
    classification TEXT    NOT NULL DEFAULT '',
    tags           TEXT    NOT NULL DEFAULT '[]',  -- JSON array of strings
    since          INTEGER NOT NULL,
    PRIMARY KEY (user_id, peer_id)
);

CREATE TABLE friend_requests (
    requester_id INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    target_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    message      TEXT    NOT NULL DEFAULT '',
    remark       TEXT    NOT NULL DEFAULT '',
    state        INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (requester_id, target_id)
);
CREATE INDEX friend_requests_by_target ON friend_requests (target_id, requester_id);

CREATE TABLE blocks (
    user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    peer_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, peer_id)
);

CREATE TABLE chat_groups (
    group_id      INTEGER PRIMARY KEY AUTOINCREMENT CHECK (group_id >= 68719476736),
    name          TEXT    NOT NULL,
    owner_id      INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    password_hash TEXT,
    avatar        TEXT    NOT NULL DEFAULT '',
    announcement  TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
INSERT INTO sqlite_sequence (name, seq) VALUES ('chat_groups', 68719476735);

CREATE TABLE group_members (
    group_id  INTEGER NOT NULL REFERENCES chat_groups (group_id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    role      INTEGER NOT NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (user_id, group_id);

CREATE TABLE join_requests (
    group_id   INTEGER NOT NULL REFERENCES chat_groups (group_id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    message    TEXT    NOT NULL DEFAULT '',
    state      INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    decided_by INTEGER,
    PRIMARY KEY (group_id, user_id)
);

-- No foreign keys: history outlives accounts and groups, and msgprocessor must never
-- fail to persist a logged message.
CREATE TABLE messages (
    channel   TEXT    NOT NULL,
    seqnum    INTEGER NOT NULL,
    sender    INTEGER NOT NULL,
    receiver  INTEGER NOT NULL,
    type      INTEGER NOT NULL,
    server_ts INTEGER NOT NULL,
    client_ts INTEGER NOT NULL,
    payload   BLOB    NOT NULL,
    extension BLOB    NOT NULL,
    edited_at INTEGER,
    withdrawn INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel, seqnum)
) WITHOUT ROWID;
-- The idempotency key of a resent message.
CREATE UNIQUE INDEX messages_idempotency ON messages (sender, receiver, client_ts);
