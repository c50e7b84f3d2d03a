-- Forwarded messages (`send` with `forward`): the copy of the message passed on, as JSON (room, offset, id, from,
-- text, ts, files), kept with the message that carries it; cleared when that message is deleted. Null on every
-- other message, so adding the column rewrites nothing.
ALTER TABLE parley_messages ADD COLUMN forwarded text;
