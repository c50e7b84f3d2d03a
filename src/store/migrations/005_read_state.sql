-- Read state: a read marker per member (an offset), and what it takes to count unread messages and mentions in
-- O(1) per room, with no row per message per user.

-- The room's count of chat messages (no system events, no actions), and on each chat message the count up to and
-- including it: unread = counted - seq of the newest chat message at or before the marker.
ALTER TABLE parley_rooms ADD COLUMN counted bigint NOT NULL DEFAULT 0;
ALTER TABLE parley_messages ADD COLUMN seq bigint;
-- The user ids a message mentions (JSON array), as the sender's client named them.
ALTER TABLE parley_messages ADD COLUMN mentions text;

-- The member's read marker: every message at or before it is read.
ALTER TABLE parley_members ADD COLUMN read_offset bigint NOT NULL DEFAULT 0;

-- A row per mention per mentioned user (mentions are few): counted after the marker. Goes with its message
-- (retention, delete).
CREATE TABLE parley_mentions (
  user_id  text COLLATE "C" NOT NULL,
  room     text NOT NULL,
  "offset" bigint NOT NULL,
  PRIMARY KEY (user_id, room, "offset"),
  FOREIGN KEY (room, "offset") REFERENCES parley_messages (room, "offset") ON DELETE CASCADE
);
CREATE INDEX parley_mentions_by_message ON parley_mentions (room, "offset");

-- A user's choices: whether the other people of their direct rooms see how far they have read ("seen").
CREATE TABLE parley_user_settings (
  user_id       text COLLATE "C" PRIMARY KEY,
  read_receipts boolean NOT NULL DEFAULT true
);
