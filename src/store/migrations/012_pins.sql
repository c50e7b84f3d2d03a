-- Pinned messages (`pin`, `unpin`, `pins`): a room's pins by the message's offset, with the message's id (a pin of a
-- log that began again, a new epoch, names another message: it is dropped), who pinned it (id and name as they
-- were, for the list) and when. Bounded per room (--max-pins-per-room), read whole per room: the primary key
-- is the only index it needs.
CREATE TABLE parley_pins (
  room           text COLLATE "C" NOT NULL REFERENCES parley_room_details (room),
  "offset"       bigint NOT NULL,
  message_id     text NOT NULL,
  pinned_by      text NOT NULL,
  pinned_by_name text NOT NULL,
  pinned_at      bigint NOT NULL,
  PRIMARY KEY (room, "offset")
);
