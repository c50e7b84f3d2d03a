-- A thread's reply also sent to the room (`send` with `thread` and `broadcast`): a message of the room's timeline as
-- well, so it has a `seq` (counted unread) and may be the room's preview. True or NULL: adding it rewrites nothing.
ALTER TABLE parley_messages ADD COLUMN broadcast boolean;
