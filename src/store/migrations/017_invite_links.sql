-- Invite links (`create_invite_link`, `join_link`): a code that makes whoever has it a member of a room, until it
-- is revoked, expires or was used its most times. Read by code (the primary key) as someone joins with it, and by
-- room to list (bounded by --max-invite-links-per-room): the second index.
CREATE TABLE parley_invite_links (
  code            text COLLATE "C" PRIMARY KEY,
  room            text COLLATE "C" NOT NULL REFERENCES parley_room_details (room),
  created_by      text NOT NULL,
  created_by_name text NOT NULL,
  created_at      bigint NOT NULL,
  expires_at      bigint,
  max_uses        integer,
  uses            integer NOT NULL DEFAULT 0
);
CREATE INDEX parley_invite_links_by_room ON parley_invite_links (room, created_at);
