-- Threads (`send` with `thread`): a reply is kept in its room's log like any message, with the offset of its
-- thread's root; the root carries a summary of its replies (count, newest, first repliers), changed with each reply
-- in the reply's transaction, like an action changes its target. Nullable columns without a default: adding them
-- rewrites nothing. A reply has no `seq` (it is not counted as unread in the room).
ALTER TABLE parley_messages ADD COLUMN thread bigint;
ALTER TABLE parley_messages ADD COLUMN replies text;

-- A thread's replies in order (`history` with `thread`): one range of this index.
CREATE INDEX parley_messages_threads ON parley_messages (room, thread, "offset") WHERE thread IS NOT NULL;
