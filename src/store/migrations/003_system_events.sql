-- System events (a member joined, was kicked, the room was renamed...) are kept in the room's log like messages, so
-- that history and resume replay them in order. The event itself is JSON text (see SystemEvent in
-- client/wire/domain.ts); null for a chat message. A nullable column without a default: adding it rewrites nothing.
ALTER TABLE parley_messages ADD COLUMN event text;
