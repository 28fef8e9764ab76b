-- A group's news is kept once, under the group's own id (user_id = peer_id = the group),
-- instead of one row per member per message: each member's inbox is derived from it and
-- their membership when read. The per-member rows of each group fold into that row (the
-- newest of them) and are dropped; rows of groups deleted since stay, ignored by reads.
INSERT INTO inbox (user_id, peer_id, last_seqnum, last_ts)
    SELECT peer_id, peer_id, MAX(last_seqnum), MAX(last_ts) FROM inbox
    WHERE peer_id IN (SELECT group_id FROM chat_groups) AND user_id <> peer_id
    GROUP BY peer_id
    ON CONFLICT (user_id, peer_id) DO UPDATE SET
        last_seqnum = MAX(last_seqnum, excluded.last_seqnum),
        last_ts = MAX(last_ts, excluded.last_ts);
DELETE FROM inbox
    WHERE peer_id IN (SELECT group_id FROM chat_groups) AND user_id <> peer_id;
