-- Takedown items: what a withdrawal or an erasure asks the organisation to remove, one row per
-- earlier publication and per person whose consent ended. Not part of the signed event chain:
-- the chain proves the withdrawal; these rows are the to-do list it produced and its evidence.

CREATE TABLE takedowns (
    id              INTEGER PRIMARY KEY,
    publication_id  INTEGER NOT NULL REFERENCES publications(id),
    person_id       TEXT    NOT NULL REFERENCES people(id),
    cause           TEXT    NOT NULL CHECK (cause IN ('withdrawal', 'erasure')),
    consent_ref     TEXT,                               -- the withdrawn consent, for a withdrawal
    -- 'takedown': remove the post; 'do-not-reprint': print and press cannot be recalled.
    kind            TEXT    NOT NULL CHECK (kind IN ('takedown', 'do-not-reprint')),
    opened_at       INTEGER NOT NULL,                   -- ms since 1970 UTC
    due_on          TEXT,                               -- YYYY-MM-DD; NULL for do-not-reprint
    done_at         INTEGER,
    done_by         TEXT,
    done_note       TEXT,
    CHECK ((done_at IS NULL) = (done_by IS NULL)),
    CHECK (kind = 'takedown' OR done_at IS NULL),
    UNIQUE (publication_id, person_id)
);
CREATE INDEX takedowns_by_person ON takedowns(person_id);
