-- Messages users scheduled to be sent later (`schedule`, `unschedule`, `scheduled_messages`). Bounded per user
-- (--max-scheduled-per-user) and read whole per user through the first index; the second is what the instances'
-- claims walk once a second: the pending ones, by when they are due. A claim leases a row (`claimed_until`) to one
-- instance; a failed one (`failed_code`) stays for its sender to see, out of the claims' index.
CREATE TABLE parley_scheduled (
  id             text COLLATE "C" PRIMARY KEY,
  user_id        text COLLATE "C" NOT NULL,
  user_name      text NOT NULL,
  room           text COLLATE "C" NOT NULL,
  text           text NOT NULL,
  at             bigint NOT NULL,
  created_at     bigint NOT NULL,
  reply_to       bigint,
  -- The user ids the text mentions (JSON array), as on parley_messages.
  mentions       text,
  mentions_room  boolean NOT NULL DEFAULT false,
  claimed_until  bigint,
  failed_code    text,
  failed_message text,
  failed_at      bigint
);
CREATE INDEX parley_scheduled_by_user ON parley_scheduled (user_id, at, id);
CREATE INDEX parley_scheduled_due ON parley_scheduled (at, id) WHERE failed_code IS NULL;
