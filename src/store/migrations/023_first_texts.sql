-- What a message said before it was edited (the `edits` command): its first text, kept on the message at its first
-- edit (each edit's entry keeps the text it gave: together, every text the message had). Null: never edited, or
-- edited before this migration (its first text was not kept: `edits` then says partial). A delete blanks it, as it
-- blanks the edits' texts. A nullable column without a default: added in place, in no time.
ALTER TABLE parley_messages ADD COLUMN original_text text;
