-- Group chat: rooms as things that exist, who belongs to them, invitations and bans (the RoomDirectory contract,
-- src/rooms/room-directory.ts). Separate from parley_rooms, which is the room log's sequence and may be created
-- and dropped for any room name. Ids compare byte by byte (COLLATE "C"), so that keyset pages are ordered the
-- same way on every database and in memory. Times are milliseconds since the Unix epoch, like message timestamps.
CREATE TABLE parley_room_details (
  room         text COLLATE "C" PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('public', 'private', 'direct')),
  name         text COLLATE "C" NOT NULL,
  topic        text NOT NULL DEFAULT '',
  created_by   text NOT NULL,
  created_at   bigint NOT NULL,
  archived_at  bigint,
  -- Direct rooms: the sorted participant ids, one conversation per set of people.
  direct_key   text UNIQUE,
  -- Kept with every join and leave: a room list never counts rows.
  member_count integer NOT NULL DEFAULT 0 CHECK (member_count >= 0)
);

-- Browsing public rooms: keyset pages by name, then id.
CREATE INDEX parley_room_details_public ON parley_room_details (name, room)
  WHERE kind = 'public' AND archived_at IS NULL;

CREATE TABLE parley_members (
  room            text COLLATE "C" NOT NULL REFERENCES parley_room_details (room),
  user_id         text COLLATE "C" NOT NULL,
  role            text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at       bigint NOT NULL,
  invited_by      text,
  muted_at        bigint,
  mute_expires_at bigint,
  PRIMARY KEY (room, user_id)
);

-- A user's rooms (the room list on connect).
CREATE INDEX parley_members_by_user ON parley_members (user_id, room);

CREATE TABLE parley_invitations (
  room       text COLLATE "C" NOT NULL REFERENCES parley_room_details (room),
  user_id    text COLLATE "C" NOT NULL,
  invited_by text NOT NULL,
  invited_at bigint NOT NULL,
  PRIMARY KEY (room, user_id)
);

CREATE INDEX parley_invitations_by_user ON parley_invitations (user_id, room);

CREATE TABLE parley_bans (
  room       text COLLATE "C" NOT NULL,
  user_id    text COLLATE "C" NOT NULL,
  reason     text NOT NULL DEFAULT '',
  banned_by  text NOT NULL,
  banned_at  bigint NOT NULL,
  expires_at bigint,
  PRIMARY KEY (room, user_id)
);
