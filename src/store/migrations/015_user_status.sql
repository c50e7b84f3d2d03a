-- What each user says of themselves (`set_status`): away or do not disturb, a line, an emoji, when it ends. JSON (see
-- UserStatus in client/wire/domain.ts), null for none; read by user id (the primary key). A nullable column without
-- a default: adding it rewrites nothing.
ALTER TABLE parley_user_settings ADD COLUMN status text;
