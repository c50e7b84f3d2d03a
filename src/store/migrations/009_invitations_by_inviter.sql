-- The pending invitations a user gave, counted at every invitation they give (--max-invitations-per-inviter): a
-- range of this index instead of the whole table. Small (one entry per pending invitation, bounded per room and
-- per inviter), so built in place.
CREATE INDEX parley_invitations_by_inviter ON parley_invitations (invited_by);
