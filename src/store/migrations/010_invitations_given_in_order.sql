-- The pending invitations a user gave, listed by them a page at a time (`sent_invitations`), ordered by room, then
-- invited user: migration 009's index by inviter, extended by those two columns, so a page is a range of it (and
-- the count of --max-invitations-per-inviter still a range of its first column). Small, built in place.
CREATE INDEX parley_invitations_given ON parley_invitations (invited_by, room, user_id);
DROP INDEX parley_invitations_by_inviter;
