-- Consent captured on a tablet with no signal (issue 17).
--
-- 1. `consents.method` may be 'tablet-offline': a consent the tablet kept in its outbox and sent
--    when the server answered again. SQLite cannot change a CHECK constraint in place, so the
--    table is rebuilt with the same columns and rows (GRDB runs a migration with foreign keys
--    off and checks them before it commits). `verify` compares these rows with the events'
--    replay as before: nothing in them changes.
-- 2. `reserved_references`: consent references handed to one officer's tablet while it was
--    online, so that a consent captured offline shows its final reference on the receipt at
--    once. Recording any other consent draws again when its random reference is reserved, and a
--    reserved reference is used once, by the officer it was reserved for, for a capture made
--    before it expired. Rows stay after they expire: a reference handed out is never reissued.
-- 3. `offline_captures`: the id the tablet gave each capture, written in the same transaction as
--    the consent event. A resend finds it and answers the same reference, never a second consent.
--
-- Neither table holds personal data, and neither is part of the signed chain: the chain records
-- the consent itself (method, given day, recorded by whom, when it arrived). Each row carries a
-- MAC under the instance key (as `asset_paths` does), and `verify` confirms every row against the
-- signed consents: an offline consent has its capture id and its reservation, and both name the
-- officer and person the consent event names.

CREATE TABLE consents_0006 (
    reference              TEXT    PRIMARY KEY,
    person_id              TEXT    NOT NULL REFERENCES people(id),
    version                INTEGER NOT NULL CHECK (version >= 1),
    supersedes             TEXT    REFERENCES consents(reference),
    superseded_by          TEXT,
    state                  TEXT    NOT NULL CHECK (state IN ('active', 'withdrawn', 'superseded', 'erased')),
    channels               TEXT    NOT NULL,   -- sorted, comma-separated
    purposes               TEXT    NOT NULL,   -- JSON array
    event                  TEXT,
    form_version           TEXT    NOT NULL,
    method                 TEXT    NOT NULL CHECK (method IN ('tablet', 'tablet-offline', 'paper', 'qr', 'verbal')),
    recorded_by            TEXT    NOT NULL,
    given_at               TEXT    NOT NULL,   -- YYYY-MM-DD
    expires_at             TEXT    NOT NULL,   -- YYYY-MM-DD
    guardian_relationship  TEXT,
    signature_sha256       TEXT,
    sealed                 BLOB,               -- encrypted ConsentPrivateDetails; NULL once erased
    recorded_seq           INTEGER NOT NULL REFERENCES events(seq),
    recorded_at            INTEGER NOT NULL,
    withdrawn_at           INTEGER,
    withdrawal_via         TEXT,
    withdrawn_by           TEXT,
    withdrawal_note        BLOB,               -- encrypted note; NULL when none or erased
    withdrawn_seq          INTEGER REFERENCES events(seq),
    erased_at              INTEGER
) WITHOUT ROWID;
-- Fails (and the migration with it) if an earlier migration changed the columns: never drops one.
INSERT INTO consents_0006 SELECT * FROM consents;
DROP TABLE consents;
ALTER TABLE consents_0006 RENAME TO consents;
CREATE INDEX consents_by_person ON consents(person_id);

CREATE TABLE reserved_references (
    reference    TEXT    PRIMARY KEY,          -- C-XXXX-XXXX: the same alphabet and check symbol
    officer      TEXT    NOT NULL,             -- the account it was reserved for
    device       TEXT    NOT NULL,             -- the id the tablet made for itself (a UUID)
    reserved_at  INTEGER NOT NULL,             -- ms since 1970 UTC
    expires_at   INTEGER NOT NULL,             -- no capture made after this may use it
    mac          BLOB    NOT NULL,             -- HMAC of the row under the instance key
    CHECK (expires_at > reserved_at)
) WITHOUT ROWID;
CREATE INDEX reserved_references_by_holder ON reserved_references(officer, device, expires_at);

CREATE TABLE offline_captures (
    capture_id   TEXT    PRIMARY KEY,          -- the UUID the tablet gave the capture
    reference    TEXT    NOT NULL UNIQUE REFERENCES consents(reference),
    person_id    TEXT    NOT NULL REFERENCES people(id),
    officer      TEXT    NOT NULL,             -- who captured it, and sent it
    captured_at  INTEGER NOT NULL,             -- the tablet's clock, ms since 1970 UTC
    received_at  INTEGER NOT NULL,             -- the server's clock when it arrived
    mac          BLOB    NOT NULL              -- HMAC of the row under the instance key
) WITHOUT ROWID;
