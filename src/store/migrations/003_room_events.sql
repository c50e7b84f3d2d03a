-- System events (a member joined, was kicked, the room was renamed...) are kept in the room's log like messages, so
-- that history and resume replay them in order. The event itself is JSON text (see SystemEvent in
-- client/wire/domain.ts); null for a chat message. Nullable columns without a default: adding them rewrites nothing.
ALTER TABLE parley_messages ADD COLUMN event text;

-- Whether joins and leaves are recorded as system events (on by default; a busy public room may turn it off).
ALTER TABLE parley_room_details ADD COLUMN announce_joins boolean NOT NULL DEFAULT true;

-- A member's display name as last seen (members lists, direct rooms' names); null when never seen.
ALTER TABLE parley_members ADD COLUMN name text;
