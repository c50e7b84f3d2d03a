-- A member's own arrangement of their room list, kept on the membership so that every device reads it with the list
-- (`favorite`, `hide`): `favorite` true or NULL (a favorite is listed apart, first); `hidden_at` the room's newest
-- offset when the member hid it (NULL: shown), so the room stays out of their list until something newer is posted
-- in it, with no write per message. Columns with no default value: added in place, whatever the number of members.
ALTER TABLE parley_members ADD COLUMN favorite boolean;
ALTER TABLE parley_members ADD COLUMN hidden_at bigint;
