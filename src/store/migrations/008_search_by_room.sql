-- Search with bounded work (DatabaseLog.search): when every word of a search is common, it walks each room's newest
-- messages, a bounded number in all, instead of 007's newest-first index of every room's messages, whose walk went
-- through every other room's messages as well (more, the fewer of them were the user's).
-- IF NOT EXISTS: on a large database an operator may build it beforehand without blocking writes (CREATE INDEX
-- CONCURRENTLY, docs/operations.md, "Upgrades"), and this migration then finds it.
CREATE INDEX IF NOT EXISTS parley_messages_room_recent ON parley_messages (room, ts DESC, "offset" DESC)
  WHERE event IS NULL AND action IS NULL;
DROP INDEX IF EXISTS parley_messages_recent;
