-- Finding messages by their words (the `search` command): a GIN index of each chat message's words as the 'simple'
-- text search configuration makes them (lower-cased, no stemming and no stop words: every language alike). Only
-- chat messages are searched; a deleted one has no text, so no words. An expression index: nothing is stored per
-- row, and an edit's new text is indexed as it is written.
CREATE INDEX parley_messages_words ON parley_messages USING gin (to_tsvector('simple', text))
  WHERE event IS NULL AND action IS NULL;
