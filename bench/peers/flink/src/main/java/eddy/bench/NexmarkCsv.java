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
				.EnvironmentInformation.getVersion() + "\",\"threads\":1,\"query\":\"" + q
				+ "\",\"events\":" + events + ",\"cpu_s\":" + cpu + ",\"wall_s\":" + wall
				+ ",\"jvm_cpu_s\":" + cpuS() + ",\"peak_rss_bytes\":" + vmHwm() + "}");
		System.exit(0);
	}
}
