-- Finding messages by their words (the `search` command). Only chat messages are searched; a deleted one has no
-- text, so no words. Expression indexes: nothing is stored per row, and an edit's new text is indexed as written.
-- IF NOT EXISTS: on a large database an operator may build it beforehand without blocking writes (CREATE INDEX
-- CONCURRENTLY, docs/operations.md, "Upgrades"), and this migration then finds it.
-- The words: as first shipped, a GIN index of each chat message's words as the 'simple' text search configuration
-- makes them, parley_messages_words; 022 replaced it with one that splits web addresses and the like into their words,
-- and drops it. A database that has not run 007 yet is spared building it.
SELECT 1;
-- (As first shipped, this migration also built a newest-first index of every room's messages, parley_messages_recent;
-- 008 replaced it with one per room and drops it. A database that has not run 007 yet is spared building it.)
