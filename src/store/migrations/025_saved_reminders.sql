-- Reminders of saved messages (`remind`): when to remind the user, and when it came due (kept until they set another
-- or none). The instances' rounds walk the index of the pending ones, by when they are due.
ALTER TABLE parley_saved ADD COLUMN remind_at bigint;
ALTER TABLE parley_saved ADD COLUMN reminded_at bigint;
CREATE INDEX parley_saved_reminders ON parley_saved (remind_at) WHERE remind_at IS NOT NULL AND reminded_at IS NULL;
