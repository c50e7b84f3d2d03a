-- Followed threads (`follow_thread`, `read_thread`, `threads`): a row per user and thread they follow, with how far
-- they have read it (the offset of the newest reply read) and when its newest reply came (their list's order).
-- A user follows a thread they reply in, one whose root they wrote (from its first reply on), one that mentions them,
-- and one they follow by hand; bounded per user (--max-followed-threads-per-user: the list is read whole, the thread
-- followed the longest ago gives way). The root's id: a log that began again has other messages at its offsets.
CREATE TABLE parley_thread_follows (
  user_id     text COLLATE "C" NOT NULL,
  room        text COLLATE "C" NOT NULL,
  root        bigint NOT NULL,
  root_id     text NOT NULL,
  read_offset bigint NOT NULL,
  followed_at bigint NOT NULL,
  last_at     bigint NOT NULL,
  PRIMARY KEY (user_id, room, root)
);
-- A thread's followers, told of each reply: one range of this index.
CREATE INDEX parley_thread_follows_by_thread ON parley_thread_follows (room, root);
