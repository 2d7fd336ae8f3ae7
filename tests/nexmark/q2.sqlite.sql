-- q2 in SQLite: the bids on auctions 1007, 1020, 2001, 2019 and 2087.
SELECT auction, price FROM bid WHERE auction IN (1007, 1020, 2001, 2019, 2087);
