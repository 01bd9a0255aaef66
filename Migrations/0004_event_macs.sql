-- A keyed check on each event beside its signature: HMAC-SHA256 of the event's hash under a key
-- derived from the instance's private key. The Ed25519 signature stays the proof anyone holding
-- the public key can check (`clearance verify`, an auditor); the MAC lets a process that holds the
-- key file confirm an event in about a microsecond instead of about 60, which is what keeps a
-- check of a group photo fast. Not part of the hash: it is derived from it. Events written before
-- this column existed have none and are checked by their signature.
ALTER TABLE events ADD COLUMN mac BLOB CHECK (mac IS NULL OR length(mac) = 32);
