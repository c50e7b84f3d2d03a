-- Files sent with messages (`upload`, then `send` with `files`). A file is uploaded for a room by its owner, then
-- sent with one message (its `cid`, the sender's idempotency key, names the message, so that a retried send finds its
-- files again); until then it is not served. `state`: 'uploading' while its bytes come, 'ready' once complete,
-- 'sent' once a message carries it. A file goes with its message (deleted, or past retention: the sweep), and an
-- upload never sent goes after --upload-ttl-ms.
CREATE TABLE parley_files (
  id          text COLLATE "C" PRIMARY KEY,
  owner_id    text COLLATE "C" NOT NULL,
  room        text COLLATE "C" NOT NULL,
  name        text NOT NULL,
  size        bigint NOT NULL,
  type        text NOT NULL,
  width       integer,
  height      integer,
  state       text NOT NULL,
  cid         text,
  created_at  bigint NOT NULL,
  sent_at     bigint
);
-- A user's stored bytes (the quota) are summed over their files.
CREATE INDEX parley_files_owner ON parley_files (owner_id);
-- The sweep looks at files by age.
CREATE INDEX parley_files_created ON parley_files (created_at);

-- The bytes of each file in pieces of at most one WebSocket frame, in order (with --store postgres: every instance
-- reads them; the embedded store keeps them as files in the data directory instead).
CREATE TABLE parley_file_chunks (
  file_id text COLLATE "C" NOT NULL REFERENCES parley_files (id) ON DELETE CASCADE,
  seq     integer NOT NULL,
  data    bytea NOT NULL,
  PRIMARY KEY (file_id, seq)
);

-- The files a message carries, as the message shows them (JSON: see FileRef in client/wire/domain.ts); null: none.
ALTER TABLE parley_messages ADD COLUMN files text;
