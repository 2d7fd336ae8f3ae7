-- schema.sql: the inputs of the fraud example (examples/fraud/run.sh loads it first).
--
-- card_tx is a stream of card payments generated at 40 per second, paced to the wall clock, with
-- event times starting at @BASE_TIME@ (run.sh puts the current UTC time there). card_id is drawn
-- from a list in which cards 17, 73 and 161 appear 20 times each: they are the stolen cards being
-- tested by a fraudster, 20 times busier than the 200 ordinary ones. About one payment in ten is
-- declined, and most happen in the US.
CREATE SOURCE card_tx (
    card_id  bigint,
    merchant varchar,
    amount   numeric(10,2),
    country  varchar,
    status   varchar,
    ts       timestamp,
    WATERMARK FOR ts AS ts - INTERVAL '2 seconds'
) WITH (
    connector = 'datagen', datagen.rows.per.second = '40', datagen.seed = '7',
    datagen.base_time = '@BASE_TIME@',
    fields.card_id.values = '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,123,124,125,126,127,128,129,130,131,132,133,134,135,136,137,138,139,140,141,142,143,144,145,146,147,148,149,150,151,152,153,154,155,156,157,158,159,160,161,162,163,164,165,166,167,168,169,170,171,172,173,174,175,176,177,178,179,180,181,182,183,184,185,186,187,188,189,190,191,192,193,194,195,196,197,198,199,200,17,17,17,17,17,17,17,17,17,17,17,17,17,17,17,17,17,17,17,17,73,73,73,73,73,73,73,73,73,73,73,73,73,73,73,73,73,73,73,73,161,161,161,161,161,161,161,161,161,161,161,161,161,161,161,161,161,161,161,161',
    fields.merchant.values = 'grocer,fuel,books,travel,games,pharmacy,electronics,jewelry',
    fields.amount.kind = 'random', fields.amount.min = '1', fields.amount.max = '900',
    fields.country.values = 'US,US,US,US,US,US,US,US,US,US,US,US,US,US,US,US,CA,MX,GB,DE,FR,BR,NG,RO',
    fields.status.values = 'approved,approved,approved,approved,approved,approved,approved,approved,approved,declined',
    fields.ts.kind = 'event_time'
);

-- Reference data: where each card is at home, and which region each country belongs to.
CREATE TABLE countries (code varchar PRIMARY KEY, name varchar, region varchar);
CREATE TABLE cards (card_id bigint PRIMARY KEY, holder varchar, home_country varchar);
