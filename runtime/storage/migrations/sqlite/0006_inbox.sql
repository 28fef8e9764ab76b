-- The offline inbox and read markers of the embedded wiring (they lived in memory and were
-- lost on restart). inbox: per user and peer/group, the newest seqnum and time with news;
-- read_markers: per user and channel, the highest seqnum read. Both only move forward.
CREATE TABLE inbox (
    user_id     INTEGER NOT NULL,
    peer_id     INTEGER NOT NULL,
    last_seqnum INTEGER NOT NULL,
    last_ts     INTEGER NOT NULL,
    PRIMARY KEY (user_id, peer_id)
) WITHOUT ROWID;
CREATE INDEX inbox_by_time ON inbox (user_id, last_ts DESC, peer_id);
CREATE TABLE read_markers (
    user_id INTEGER NOT NULL,
    channel TEXT    NOT NULL,
    seqnum  INTEGER NOT NULL,
    PRIMARY KEY (user_id, channel)
) WITHOUT ROWID;
