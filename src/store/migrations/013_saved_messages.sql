-- Messages a user saved for themselves (`save`, `unsave`, `saved`): a private list in every room, by user, with the
-- message's id (a saved offset of a log that began again names another message: it is dropped) and when it was
-- saved. Bounded per user (--max-saved-per-user) and read whole per user: the primary key is the only index needed.
CREATE TABLE parley_saved (
  user_id    text COLLATE "C" NOT NULL,
  room       text COLLATE "C" NOT NULL,
  "offset"   bigint NOT NULL,
  message_id text NOT NULL,
  saved_at   bigint NOT NULL,
  PRIMARY KEY (user_id, room, "offset")
);
