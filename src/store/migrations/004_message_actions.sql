-- Messages people act on (edit, delete, react, reply). An action is kept in the room's log as an entry of its own
-- (so that a resume replays it), and the message it acts on is changed in place (so that history returns it as it
-- is now). Nullable columns without a default: adding them rewrites nothing.

-- On an action's entry: the action as JSON (see MessageAction in client/wire/domain.ts) and the offset it acts on.
ALTER TABLE parley_messages ADD COLUMN action text;
ALTER TABLE parley_messages ADD COLUMN target bigint;
-- On a message: the offset of the message it replies to; when it was last edited; when it was deleted (its text is
-- then empty); its reactions as shown (JSON, kept with every reaction: reads never aggregate).
ALTER TABLE parley_messages ADD COLUMN reply_to bigint;
ALTER TABLE parley_messages ADD COLUMN edited_at bigint;
ALTER TABLE parley_messages ADD COLUMN deleted_at bigint;
ALTER TABLE parley_messages ADD COLUMN reactions text;
-- On a message: the offset of the newest action applied to it (a client applies older actions no more).
ALTER TABLE parley_messages ADD COLUMN rev bigint;

-- A delete blanks the text of the message's earlier edits: found through this index (edits with text only).
CREATE INDEX parley_messages_edits ON parley_messages (room, target) WHERE target IS NOT NULL AND text <> '';

-- Who reacted to which message with which emoji: a row per user and emoji (the message shows the count and the
-- first users). Goes with its message (retention).
CREATE TABLE parley_reactions (
  room      text NOT NULL,
  "offset"  bigint NOT NULL,
  emoji     text NOT NULL,
  user_id   text NOT NULL,
  at        bigint NOT NULL,
  PRIMARY KEY (room, "offset", emoji, user_id),
  FOREIGN KEY (room, "offset") REFERENCES parley_messages (room, "offset") ON DELETE CASCADE
);
