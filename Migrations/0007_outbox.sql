-- Notices by email (issue 18).
--
-- 1. A consent may be renewed by the person through the link in a reminder: method
--    'renewal-link'. SQLite cannot change a CHECK constraint, so `consents` is rebuilt with its
--    rows, as SQLite's documentation describes (foreign keys are checked after the migration).
CREATE TABLE consents_v7 (
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
    method                 TEXT    NOT NULL CHECK (method IN ('tablet', 'tablet-offline', 'paper', 'qr', 'verbal', 'renewal-link')),
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
INSERT INTO consents_v7 SELECT reference, person_id, version, supersedes, superseded_by, state, channels, purposes, event,
    form_version, method, recorded_by, given_at, expires_at, guardian_relationship, signature_sha256, sealed, recorded_seq,
    recorded_at, withdrawn_at, withdrawal_via, withdrawn_by, withdrawal_note, withdrawn_seq, erased_at FROM consents;
DROP TABLE consents;
ALTER TABLE consents_v7 RENAME TO consents;
CREATE INDEX consents_by_person ON consents(person_id);

-- 2. The outbox, the links notices carry, and the notice pass's verifications. Not part of the
-- signed chain, and no verdict depends on them: they are the organisation's to-do list and its
-- record of what was sent. What a row says when it is written carries a MAC under the instance
-- key (`mac`), checked before a notice is sent, a link is honoured or a verification is shown,
-- and by `verify`: a notice, link or "intact" inserted by hand is never acted on. The columns a
-- sender updates (state, attempts, times, errors, `used_at`) are outside the MAC.
--
-- One row per notice. `notice_key` names what it is about (`receipt:C-…`, `renewal:C-…`,
-- `reconsent:P-…:YYYY-MM-DD`, `digest:YYYY-MM-DD`), so a daily pass run twice queues nothing twice.
-- The message (recipient, subject, text and HTML) is sealed with the person's own key like the
-- rest of their personal data; erasure drops the person's unsent notices and empties every
-- message of theirs. The DPO's digest names no one (references and ids only) and is kept as
-- plain JSON.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    notice_key      TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('receipt', 'renewal', 'reconsent', 'digest')),
    person_id       TEXT    REFERENCES people(id),      -- whose key seals `message`; NULL: not sealed
    consent_ref     TEXT,
    message         BLOB    NOT NULL,
    queued_at       INTEGER NOT NULL,                   -- ms since 1970 UTC
    mac             BLOB    NOT NULL,                   -- over notice_key, kind, person_id, consent_ref, message, queued_at
    -- queued: waiting (for `next_attempt_at`); sending: claimed by one sender (`claim_id`);
    -- sent: the server accepted it; dropped: can no longer be sent (erased person, refused for good).
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claim_id        TEXT,
    claimed_at      INTEGER,
    sent_at         INTEGER,
    last_error      TEXT,
    CHECK ((state = 'sending') = (claim_id IS NOT NULL)),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

-- Links in notices that act without an account: a withdrawal link in a receipt, a renewal
-- link in a reminder. Only the SHA-256 of the secret is kept; a renewal link works once and
-- until `expires_at`.
CREATE TABLE notice_links (
    secret_sha256   TEXT    PRIMARY KEY,
    purpose         TEXT    NOT NULL CHECK (purpose IN ('withdraw', 'renew')),
    consent_ref     TEXT    NOT NULL REFERENCES consents(reference),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    used_at         INTEGER,
    mac             BLOB    NOT NULL,                   -- over every column but used_at
    CHECK (purpose = 'withdraw' OR expires_at IS NOT NULL)
);

-- Results of `verify` run by the notice pass, for the digest and GET /metrics.
CREATE TABLE verification_runs (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    intact          INTEGER NOT NULL CHECK (intact IN (0, 1)),
    events          INTEGER NOT NULL,
    problem         TEXT,
    mac             BLOB    NOT NULL                    -- over at, intact, events, problem
);
