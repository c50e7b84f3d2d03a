-- Search's words as the protocol defines them (docs/protocol.md, "Finding messages"): runs of letters and digits. 007's
-- index made them as PostgreSQL's text search parser does, which keeps a web address, an e-mail address, a file
-- path or a version number as one token ('example.com/launch', 'bob@example.com', 'v1.2.3'): a search for 'launch'
-- did not find "see https://example.com/launch", where the memory store did. Now every run of ASCII punctuation is
-- made a space first (a regular expression of code ranges, ! to /, : to @, [ to ` and { to ~: no locale involved, so
-- letters outside ASCII stay letters whatever the database's locale; it costs ~0.2 us a message where translate()
-- of the same characters cost ~6), and the 'simple' configuration makes the words of what is left, as before
-- (lower-cased, no stemming, no stop words). The expression must stay the one DatabaseLog searches with (textWords in
-- src/log/database-search.ts).
-- IF NOT EXISTS: on a large database an operator may build it beforehand without blocking writes (CREATE INDEX
-- CONCURRENTLY, docs/operations.md, "Upgrades"), and this migration then finds it.
CREATE INDEX IF NOT EXISTS parley_messages_text_words ON parley_messages
  USING gin (to_tsvector('simple', regexp_replace(text, '[!-/:-@[-`{-~]+', ' ', 'g')))
  WHERE event IS NULL AND action IS NULL;
DROP INDEX IF EXISTS parley_messages_words;
