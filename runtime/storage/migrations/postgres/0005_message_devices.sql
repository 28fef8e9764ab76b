-- The idempotency key gains the sending device (two devices of one user may send in the
-- same millisecond), and a digest of the original (type, payload) is kept with it, so a
-- different message reusing a key is refused instead of being taken for a resend. Rows
-- from before keep device '' and no digest.
ALTER TABLE messages
    ADD COLUMN device TEXT NOT NULL DEFAULT '',
    ADD COLUMN digest BYTEA;
DROP INDEX messages_idempotency;
CREATE UNIQUE INDEX messages_idempotency ON messages (sender, receiver, device, client_ts);
