-- The room log: one row per room (its epoch and its last offset: the room's sequence, assigned here, where the data
-- is durable) and one row per message. Offsets of a room are contiguous from 1 in each epoch. The same client message
-- id (cid) from the same sender in the same room is stored once, for good.
CREATE TABLE parley_rooms (
  room        text PRIMARY KEY,
  epoch       text NOT NULL,
  last_offset bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE parley_messages (
  room        text NOT NULL,
  "offset"    bigint NOT NULL,
  id          text NOT NULL,
  sender_id   text NOT NULL,
  sender_name text NOT NULL,
  text        text NOT NULL,
  ts          bigint NOT NULL,
  cid         text NOT NULL,
  PRIMARY KEY (room, "offset")
);

CREATE UNIQUE INDEX parley_messages_idempotency ON parley_messages (room, sender_id, cid);
