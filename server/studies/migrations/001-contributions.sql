-- Studies' state: one row from a study's first contribution or closing. `contributions` is the count
-- so far and hands out the dense sequence numbers; locking this row serializes a study's appends.
CREATE TABLE study_states (
  study_id text PRIMARY KEY,
  contributions bigint NOT NULL DEFAULT 0 CHECK (contributions >= 0),
  closed_at timestamptz,
  tally text,
  result text,
  CHECK (tally IS NULL OR closed_at IS NOT NULL),
  CHECK (result IS NULL OR tally IS NOT NULL)
);

-- Every Privacy Pass token spent, by any study: the primary key is what refuses a second spend, under
-- any concurrency and across instances.
CREATE TABLE spent_tokens (
  token_key bytea PRIMARY KEY,
  spent_at timestamptz NOT NULL DEFAULT now()
);

-- Every accepted contribution, as received (canonical JSON bytes), in order, with the token it spent.
CREATE TABLE contributions (
  study_id text NOT NULL REFERENCES study_states (study_id),
  seq bigint NOT NULL CHECK (seq >= 1),
  token_key bytea NOT NULL UNIQUE REFERENCES spent_tokens (token_key),
  record bytea NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (study_id, seq)
);

-- Trustees' partial decryptions of a closed study's tally: one per trustee.
CREATE TABLE partial_decryptions (
  study_id text NOT NULL REFERENCES study_states (study_id),
  trustee text NOT NULL,
  decryption text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT partial_decryptions_once PRIMARY KEY (study_id, trustee)
);
