-- ddl.sql: the Nexmark sources (person, auction, bid) and q13's side-input table.
--
-- The three sources walk the same event sequence (same options), so their ids and times agree.
-- Each carries the standard watermark, date_time - 4 seconds. The run's options are placeholders
-- in envsubst's ${NAME} form, substituted by whoever runs the suite (the oracle test
-- tests/tools/nexmark_oracle.c does it itself; by hand, see bench/nexmark/README.md):
--   ${NEXMARK_EVENTS}     events of all three types together; -1 for an unbounded source
--   ${NEXMARK_SEED}       seed of every random choice
--   ${NEXMARK_RATE}       events per second of event time
--   ${NEXMARK_BASE_TIME}  event time of event 0, 'YYYY-MM-DD HH:MM:SS'
-- The query files q0.sql ... q22.sql never create sources, so they run on any options.

CREATE SOURCE person (
    id bigint,
    name varchar,
    email_address varchar,
    credit_card varchar,
    city varchar,
    state varchar,
    date_time timestamp,
    extra varchar,
    WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (
    connector = 'nexmark',
    nexmark.table.type = 'Person',
    nexmark.events = '${NEXMARK_EVENTS}',
    nexmark.seed = '${NEXMARK_SEED}',
    nexmark.rate = '${NEXMARK_RATE}',
    nexmark.base_time = '${NEXMARK_BASE_TIME}'
);

CREATE SOURCE auction (
    id bigint,
    item_name varchar,
    description varchar,
    initial_bid bigint,
    reserve bigint,
    date_time timestamp,
    expires timestamp,
    seller bigint,
    category bigint,
    extra varchar,
    WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (
    connector = 'nexmark',
    nexmark.table.type = 'Auction',
    nexmark.events = '${NEXMARK_EVENTS}',
    nexmark.seed = '${NEXMARK_SEED}',
    nexmark.rate = '${NEXMARK_RATE}',
    nexmark.base_time = '${NEXMARK_BASE_TIME}'
);

CREATE SOURCE bid (
    auction bigint,
    bidder bigint,
    price bigint,
    channel varchar,
    url varchar,
    date_time timestamp,
    extra varchar,
    WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (
    connector = 'nexmark',
    nexmark.table.type = 'Bid',
    nexmark.events = '${NEXMARK_EVENTS}',
    nexmark.seed = '${NEXMARK_SEED}',
    nexmark.rate = '${NEXMARK_RATE}',
    nexmark.base_time = '${NEXMARK_BASE_TIME}'
);

-- q13's bounded side input: keys 0..9999, each with its own text as value (RisingWave fills it
-- with generate_series(0, 9999)). side_input.sql inserts the rows.
CREATE TABLE side_input (
    key bigint PRIMARY KEY,
    value varchar
);
