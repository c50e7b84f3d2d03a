-- Finding messages by their words (the `search` command). Only chat messages are searched; a deleted one has no
-- text, so no words. Expression indexes: nothing is stored per row, and an edit's new text is indexed as written.
-- IF NOT EXISTS: on a large database an operator may build them beforehand without blocking writes (CREATE INDEX
-- CONCURRENTLY, docs/operations.md, "Upgrades"), and this migration then finds them.
-- The words: a GIN index of each chat message's words as the 'simple' text search configuration makes them
-- (lower-cased, no stemming and no stop words: every language alike). It finds the messages of a rare word at once.
CREATE INDEX IF NOT EXISTS parley_messages_words ON parley_messages USING gin (to_tsvector('simple', text))
  WHERE event IS NULL AND action IS NULL;
-- The order of results, newest first: a common word matches a good part of all messages, and sorting them all
-- for the newest page costs O(matches); walking this index from the newest and keeping those that match stops
-- after a page. A search uses one index or the other by how many messages the words match (DatabaseLog.search).
CREATE INDEX IF NOT EXISTS parley_messages_recent ON parley_messages (ts DESC, room COLLATE "C" DESC, "offset" DESC)
  WHERE event IS NULL AND action IS NULL;
