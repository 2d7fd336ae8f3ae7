-- q0 in SQLite: every bid. Timestamps are integer microseconds here; pg_ts prints them as
-- PostgreSQL does.
SELECT auction, bidder, price, pg_ts(date_time) FROM bid;
