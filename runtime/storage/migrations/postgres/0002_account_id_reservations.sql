-- Account ids handed out by AccountService.NewAccountId and not yet claimed by Signup.
-- The id comes from the users identity sequence, so it never collides with an assigned one.
CREATE TABLE account_id_reservations (
    user_id    BIGINT PRIMARY KEY CHECK (user_id < 68719476736),
    expires_at BIGINT NOT NULL
);
CREATE INDEX account_id_reservations_by_expiry ON account_id_reservations (expires_at);
