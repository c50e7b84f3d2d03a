-- The banned user's display name when banned: the ban's lifting names them (they are no member any more, and the
-- member row that held their name went with the ban). Empty for bans made before this column. A constant default
-- rewrites nothing (PostgreSQL 11 and later store it once).
ALTER TABLE parley_bans ADD COLUMN user_name text NOT NULL DEFAULT '';
