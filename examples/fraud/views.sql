-- views.sql: the risk-control rules of the fraud example, as materialized views kept fresh by
-- eddy as each payment arrives. run.sh loads it after schema.sql and cards.sql.

-- Velocity: every card's payments in sliding 10-minute windows that move by one minute. HOP
-- keeps one partial aggregate per card and minute and adds ten of them up per window, so a
-- payment is counted once, not ten times.
CREATE MATERIALIZED VIEW card_velocity AS
    SELECT card_id, window_start, window_end, count(*) AS tx, sum(amount) AS total
    FROM HOP(card_tx, ts, INTERVAL '1 minute', INTERVAL '10 minutes')
    GROUP BY card_id, window_start, window_end;

-- The velocity rule: more than 120 payments or more than 60000.00 in any 10-minute window. An
-- ordinary card makes about 90 payments worth about 41000 in 10 minutes; the stolen cards
-- cross the line within a minute of the start.
CREATE MATERIALIZED VIEW velocity_alerts AS
    SELECT card_id, window_start, window_end, count(*) AS tx, sum(amount) AS total
    FROM HOP(card_tx, ts, INTERVAL '1 minute', INTERVAL '10 minutes')
    GROUP BY card_id, window_start, window_end
    HAVING count(*) > 120 OR sum(amount) > 60000;

-- Payments far from home: the stream joined with the cards table and, twice, with the regions
-- of countries. A US card paying in Mexico is near home; paying in Nigeria it is not.
CREATE MATERIALIZED VIEW far_from_home AS
    SELECT t.ts, t.card_id, c.holder, c.home_country, t.country, t.merchant, t.amount, t.status
    FROM card_tx t
    JOIN cards c ON c.card_id = t.card_id
    JOIN countries home ON home.code = c.home_country
    JOIN countries here ON here.code = t.country
    WHERE home.region <> here.region;

-- Top 3 merchants by declined amount in each minute: a TUMBLE aggregate ranked by ROW_NUMBER.
CREATE MATERIALIZED VIEW top_declined_merchants AS
    SELECT window_start, merchant, declined, declines, rn
    FROM (SELECT window_start, merchant, declined, declines,
                 ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY declined DESC) AS rn
          FROM (SELECT window_start, merchant, sum(amount) AS declined, count(*) AS declines
                FROM TUMBLE(card_tx, ts, INTERVAL '1 minute')
                WHERE status = 'declined'
                GROUP BY window_start, merchant) per_merchant) ranked
    WHERE rn <= 3;
