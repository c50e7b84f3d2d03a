-- Incoming webhooks (`create_webhook`, `POST /hooks/{id}/{secret}`): a room's integrations that post into it. The
-- secret is kept as its SHA-256 only (shown once, when made). Read by id (the primary key) as a hook posts, and by
-- room to list (bounded by --max-webhooks-per-room): the second index.
CREATE TABLE parley_webhooks (
  id              text COLLATE "C" PRIMARY KEY,
  room            text COLLATE "C" NOT NULL REFERENCES parley_room_details (room),
  name            text NOT NULL,
  secret_sha256   text NOT NULL,
  created_by      text NOT NULL,
  created_by_name text NOT NULL,
  created_at      bigint NOT NULL
);
CREATE INDEX parley_webhooks_by_room ON parley_webhooks (room, created_at);
