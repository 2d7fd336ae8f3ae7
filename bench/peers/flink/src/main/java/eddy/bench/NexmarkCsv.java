/* NexmarkCsv.java: Apache Flink (local mode, streaming, parallelism 1) answering one Nexmark
 * query over the CSV files of `eddy nexmark export`, its output into Flink's blackhole sink.
 *
 * Part of bench/peers/flink/ (issue 6), run by its run.sh, one JVM per query so that the peak
 * resident memory is the query's own. Prints one JSON line: query, events, cpu_s (the JVM's CPU
 * time while the job runs, all threads), wall_s, the JVM's CPU from its start (startup
 * included), peak_rss_bytes (VmHWM). The queries are Flink's own Nexmark texts (window TVFs),
 * over tables named as eddy's: person, auction, bid, each with the standard watermark.
 *
 * Usage: java -cp ... eddy.bench.NexmarkCsv DATA_DIR EVENTS qN
 * DATA_DIR holds person.csv, auction.csv, bid.csv without their header line (run.sh strips it:
 * Flink's CSV format has no option to skip one).
 */
package eddy.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.TableEnvironment;

public final class NexmarkCsv {
	private static final String WM = "WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND";

	private static final Map<String, String> QUERIES = new HashMap<>();

	/* q15-q17: the day of a bid, and its counts per price rank (as eddy's to_char texts). */
	private static final String DAY = "DATE_FORMAT(date_time, 'yyyy-MM-dd')";
	private static final String[] RANK = {"price < 10000",
			"price >= 10000 AND price < 1000000", "price >= 1000000"};
	private static final String RANKS = " count(*) AS total_bids, count(*) FILTER (WHERE "
			+ RANK[0] + ") AS rank1_bids, count(*) FILTER (WHERE " + RANK[1]
			+ ") AS rank2_bids, count(*) FILTER (WHERE " + RANK[2] + ") AS rank3_bids";

	/* count(DISTINCT col) in all and per price rank: total_cols, rank1_cols, ... */
	private static String distinct(String col) {
		StringBuilder b = new StringBuilder(" count(DISTINCT " + col + ") AS total_" + col + "s");
		for (int i = 0; i < RANK.length; i++)
			b.append(", count(DISTINCT " + col + ") FILTER (WHERE " + RANK[i] + ") AS rank"
					+ (i + 1) + "_" + col + "s");
		return b.toString();
	}

	static {
		QUERIES.put("q0", "SELECT auction, bidder, price, date_time FROM bid");
		QUERIES.put("q1", "SELECT auction, bidder, 0.908 * price AS price, date_time FROM bid");
		QUERIES.put("q2", "SELECT auction, price FROM bid "
				+ "WHERE auction = 1007 OR auction = 1020 OR auction = 2001 "
				+ "OR auction = 2019 OR auction = 2087");
		QUERIES.put("q3", "SELECT P.name, P.city, P.state, A.id FROM auction AS A "
				+ "INNER JOIN person AS P ON A.seller = P.id WHERE A.category = 10 "
				+ "AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')");
		QUERIES.put("q5", "SELECT AuctionBids.auction, AuctionBids.num FROM ("
				+ " SELECT auction, count(*) AS num, window_start AS starttime,"
				+ " window_end AS endtime FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time),"
				+ " INTERVAL '2' SECOND, INTERVAL '10' SECOND))"
				+ " GROUP BY auction, window_start, window_end) AS AuctionBids JOIN ("
				+ " SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime"
				+ " FROM (SELECT count(*) AS num, window_start AS starttime,"
				+ " window_end AS endtime FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time),"
				+ " INTERVAL '2' SECOND, INTERVAL '10' SECOND))"
				+ " GROUP BY auction, window_start, window_end) AS CountBids"
				+ " GROUP BY CountBids.starttime, CountBids.endtime) AS MaxBids"
				+ " ON AuctionBids.starttime = MaxBids.starttime"
				+ " AND AuctionBids.endtime = MaxBids.endtime"
				+ " AND AuctionBids.num >= MaxBids.maxn");
		QUERIES.put("q7", "SELECT B.auction, B.price, B.bidder, B.date_time FROM bid B JOIN ("
				+ " SELECT MAX(price) AS maxprice, window_end AS date_time"
				+ " FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '10' SECOND))"
				+ " GROUP BY window_start, window_end) B1 ON B.price = B1.maxprice"
				+ " WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND"
				+ " AND B1.date_time");
		QUERIES.put("q8", "SELECT P.id, P.name, P.starttime FROM ("
				+ " SELECT id, name, window_start AS starttime, window_end AS endtime"
				+ " FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(date_time), INTERVAL '10' SECOND))"
				+ " GROUP BY id, name, window_start, window_end) P JOIN ("
				+ " SELECT seller, window_start AS starttime, window_end AS endtime"
				+ " FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(date_time), INTERVAL '10' SECOND))"
				+ " GROUP BY seller, window_start, window_end) A"
				+ " ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime");
		QUERIES.put("q9", "SELECT id, item_name, description, initial_bid, reserve, date_time,"
				+ " expires, seller, category, auction, bidder, price, bid_date_time FROM ("
				+ " SELECT A.*, B.auction, B.bidder, B.price, B.date_time AS bid_date_time,"
				+ " ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC,"
				+ " B.date_time ASC) AS rownum FROM auction A, bid B"
				+ " WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires)"
				+ " WHERE rownum <= 1");
		QUERIES.put("q4", "SELECT Q.category, AVG(Q.final) AS `avg` FROM ("
				+ " SELECT MAX(B.price) AS final, A.category FROM auction A, bid B"
				+ " WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires"
				+ " GROUP BY A.id, A.category) Q GROUP BY Q.category");
		QUERIES.put("q11", "SELECT bidder, count(*) AS bid_count,"
				+ " SESSION_START(date_time, INTERVAL '10' SECOND) AS starttime,"
				+ " SESSION_END(date_time, INTERVAL '10' SECOND) AS endtime FROM bid"
				+ " GROUP BY bidder, SESSION(date_time, INTERVAL '10' SECOND)");
		QUERIES.put("q12", "SELECT bidder, count(*) AS bid_count, window_start, window_end"
				+ " FROM TABLE(TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '10' SECOND))"
				+ " GROUP BY bidder, window_start, window_end");
		/* Fails in Flink 1.20: "Processing-time temporal join is not supported yet" (the
		 * filesystem connector is no lookup source), so bench/compare/run.sh leaves q13 out. */
		QUERIES.put("q13", "SELECT B.auction, B.bidder, B.price, B.date_time, S.`value`"
				+ " FROM B JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S"
				+ " ON MOD(B.auction, 10000) = S.key");
		/* eddy's q14 is RisingWave's: no count_char UDF, no extra column. */
		QUERIES.put("q14", "SELECT auction, bidder, 0.908 * price AS price, CASE"
				+ " WHEN HOUR(date_time) >= 8 AND HOUR(date_time) <= 18 THEN 'dayTime'"
				+ " WHEN HOUR(date_time) <= 6 OR HOUR(date_time) >= 20 THEN 'nightTime'"
				+ " ELSE 'otherTime' END AS bidTimeType, date_time FROM bid"
				+ " WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000");
		QUERIES.put("q15", "SELECT " + DAY + " AS `day`," + RANKS + ","
				+ distinct("bidder") + "," + distinct("auction") + " FROM bid GROUP BY " + DAY);
		QUERIES.put("q16", "SELECT channel, " + DAY + " AS `day`,"
				+ " max(DATE_FORMAT(date_time, 'HH:mm')) AS `minute`," + RANKS + ","
				+ distinct("bidder") + "," + distinct("auction")
				+ " FROM bid GROUP BY channel, " + DAY);
		QUERIES.put("q17", "SELECT auction, " + DAY + " AS `day`," + RANKS + ","
				+ " min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price,"
				+ " sum(price) AS sum_price FROM bid GROUP BY auction, " + DAY);
		QUERIES.put("q19", "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction"
				+ " ORDER BY price DESC) AS rank_number FROM bid) WHERE rank_number <= 10");
		QUERIES.put("q20", "SELECT auction, bidder, price, channel, url,"
				+ " B.date_time AS bid_date_time, B.extra AS bid_extra, item_name, description,"
				+ " initial_bid, reserve, A.date_time AS auction_date_time, expires, seller,"
				+ " category, A.extra AS auction_extra"
				+ " FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id"
				+ " WHERE A.category = 10");
		QUERIES.put("q21", "SELECT auction, bidder, price, channel, CASE"
				+ " WHEN LOWER(channel) = 'apple' THEN '0'"
				+ " WHEN LOWER(channel) = 'google' THEN '1'"
				+ " WHEN LOWER(channel) = 'facebook' THEN '2'"
				+ " WHEN LOWER(channel) = 'baidu' THEN '3'"
				+ " ELSE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id"
				+ " FROM bid WHERE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) IS NOT NULL"
				+ " OR LOWER(channel) IN ('apple', 'google', 'facebook', 'baidu')");
		/* split_part(url, '/', n) is 1-based; Flink's SPLIT_INDEX is 0-based. */
		QUERIES.put("q22", "SELECT auction, bidder, price, channel,"
				+ " SPLIT_INDEX(url, '/', 3) AS dir1, SPLIT_INDEX(url, '/', 4) AS dir2,"
				+ " SPLIT_INDEX(url, '/', 5) AS dir3 FROM bid");
		QUERIES.put("q18", "SELECT auction, bidder, price, channel, url, date_time FROM ("
				+ " SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction"
				+ " ORDER BY date_time DESC) AS rank_number FROM bid)"
				+ " WHERE rank_number <= 1");
	}

	private static String table(String dir, String name, String cols) {
		return "CREATE TABLE " + name + " (" + cols + ", " + WM + ") WITH ("
				+ "'connector' = 'filesystem', 'path' = '" + dir + "/" + name + ".csv', "
				+ "'format' = 'csv')";
	}

	private static long vmHwm() throws Exception {
		for (String line : Files.readAllLines(Paths.get("/proc/self/status")))
			if (line.startsWith("VmHWM:"))
				return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
		return -1;
	}

	private static double cpuS() {
		com.sun.management.OperatingSystemMXBean os =
				(com.sun.management.OperatingSystemMXBean) ManagementFactory
						.getOperatingSystemMXBean();
		return os.getProcessCpuTime() / 1e9;
	}

	public static void main(String[] args) throws Exception {
		String dir = args[0];
		long events = Long.parseLong(args[1]);
		String q = args[2];
		String sql = QUERIES.get(q);
		if (sql == null) {
			System.out.println("{\"peer\":\"flink\",\"query\":\"" + q + "\",\"events\":" + events
					+ ",\"error\":\"no Flink text for this query yet\"}");
			return;
		}
		TableEnvironment t = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
		t.getConfig().set("parallelism.default", "1");
		t.executeSql(table(dir, "person", "id BIGINT, name STRING, email_address STRING, "
				+ "credit_card STRING, city STRING, state STRING, date_time TIMESTAMP(3), "
				+ "extra STRING"));
		t.executeSql(table(dir, "auction", "id BIGINT, item_name STRING, description STRING, "
				+ "initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP(3), "
				+ "expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING"));
		t.executeSql(table(dir, "bid", "auction BIGINT, bidder BIGINT, price BIGINT, "
				+ "channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING"));
		if (q.equals("q12") || q.equals("q13")) /* processing time, as Flink's texts */
			t.executeSql("CREATE TEMPORARY VIEW B AS SELECT *, PROCTIME() AS p_time FROM bid");
		if (q.equals("q13")) /* side_input.csv: keys 0..9999, each its own text (run.sh) */
			t.executeSql("CREATE TABLE side_input (key BIGINT, `value` STRING,"
					+ " PRIMARY KEY (key) NOT ENFORCED) WITH ("
					+ "'connector' = 'filesystem', 'path' = '" + dir + "/side_input.csv', "
					+ "'format' = 'csv')");
		Table r = t.sqlQuery(sql);
		t.createTemporaryTable("out", TableDescriptor.forConnector("blackhole")
				.schema(org.apache.flink.table.api.Schema.newBuilder()
						.fromResolvedSchema(r.getResolvedSchema()).build())
				.build());
		double c0 = cpuS();
		long t0 = System.nanoTime();
		r.executeInsert("out").await();
		double cpu = cpuS() - c0;
		double wall = (System.nanoTime() - t0) / 1e9;
		System.out.println("{\"peer\":\"flink\",\"version\":\"" + org.apache.flink.runtime.util
				.EnvironmentInformation.getVersion() + "\",\"threads\":1,\"input\":\"csv\","
				+ "\"query\":\"" + q
				+ "\",\"events\":" + events + ",\"cpu_s\":" + cpu + ",\"wall_s\":" + wall
				+ ",\"jvm_cpu_s\":" + cpuS() + ",\"peak_rss_bytes\":" + vmHwm() + "}");
		System.exit(0);
	}
}
