-- The stand-in Galaxy's tables. `job` is Galaxy's job table cut down to what handler
-- assignment needs; `job_run`, `tick`, `lives` and `conflicts` record what happened, so that
-- the guarantees can be checked afterwards; `stops` gets a row from each handler as it stops
-- (while PostgreSQL still runs: stop order).
CREATE TABLE job (
  id serial PRIMARY KEY,
  state text NOT NULL DEFAULT 'new',            -- new -> queued (claimed) -> ok
  handler text,                                  -- the default tag, then the handler that claimed it
  created_by text NOT NULL,                      -- role:generation:pid of the web process that took the POST
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX job_handler_state ON job (handler, state);
CREATE TABLE job_run (
  id serial PRIMARY KEY,
  job_id integer NOT NULL REFERENCES job (id),
  handler text NOT NULL,
  pid integer NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE tick (
  id serial PRIMARY KEY,
  beat_pid integer NOT NULL,
  sent_at double precision NOT NULL,            -- when beat sent it (epoch seconds)
  worker_pid integer NOT NULL,
  ran_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE lives (
  name text NOT NULL,
  pid integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE conflicts (
  name text NOT NULL,
  pid integer NOT NULL,
  other_pid integer NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE stops (
  name text NOT NULL,
  pid integer NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
