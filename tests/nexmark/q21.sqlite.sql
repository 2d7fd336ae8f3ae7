-- q21 in SQLite, without regular expressions: (regexp_match(url, '(&|^)channel_id=([^&]*)'))[2]
-- is the text after the leftmost "channel_id=" that starts the URL or follows a '&', up to the
-- next '&' or the end ('' when empty; NULL when there is no such match).
WITH b AS (SELECT *,
                  CASE WHEN url LIKE 'channel\_id=%' ESCAPE '\' THEN 12
                       WHEN instr(url, '&channel_id=') > 0 THEN instr(url, '&channel_id=') + 12
                  END AS vstart
           FROM bid),
     v AS (SELECT *,
                  CASE WHEN vstart IS NULL THEN NULL
                       WHEN instr(substr(url, vstart), '&') = 0 THEN substr(url, vstart)
                       ELSE substr(url, vstart, instr(substr(url, vstart), '&') - 1)
                  END AS cid
           FROM b)
SELECT auction, bidder, price, channel,
       CASE WHEN lower(channel) = 'apple' THEN '0'
            WHEN lower(channel) = 'google' THEN '1'
            WHEN lower(channel) = 'facebook' THEN '2'
            WHEN lower(channel) = 'baidu' THEN '3'
            ELSE cid END
FROM v
WHERE cid IS NOT NULL OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu');
