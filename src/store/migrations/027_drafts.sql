-- Drafts (`set_draft`): what a user typed in a room's message box and has not sent, one per user and room, so that
-- each of their devices finds it. Read by user (a user's list, the bound on how many they keep: a range of the
-- primary key); set and cleared as they type (their clients send a change once typing pauses).
CREATE TABLE parley_drafts (
  user_id text COLLATE "C" NOT NULL,
  room    text COLLATE "C" NOT NULL,
  text    text NOT NULL,
  at      bigint NOT NULL,
  PRIMARY KEY (user_id, room)
);
