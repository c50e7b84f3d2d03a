-- What each member wants to be notified of in a room (`notifications`: all, mentions, none), kept on the membership
-- so that every device of the user reads it with the room list. NULL: never chosen, the room kind's default (every
-- message of a direct room, mentions elsewhere), so a changed default reaches those who never chose. A column with
-- no default value: added in place, whatever the number of members.
ALTER TABLE parley_members ADD COLUMN notifications text
  CHECK (notifications IN ('all', 'mentions', 'none'));
