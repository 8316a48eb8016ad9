//! No input makes regionsim panic: mutated scenario files load to a scenario or to a clean error,
//! and those that load also simulate (briefly) without panicking.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use regionsim::runner::simulate;
use regionsim::scenario::document::Assignment;
use regionsim::scenario::site::parse_site_xml;
use regionsim::scenario::workload::Arrival;
use regionsim::scenario::{LoadOptions, load_str};

const DEFAULT: &str = include_str!("../scenarios/default.toml");

/// Lines that stress the reader: wrong types, odd units, huge numbers, broken syntax.
const TRICKY_LINES: &[&str] = &[
    "regions = 0",
    "regions = 99999999999999999999",
    "heap = \"0.5KB\"",
    "heap = 1e400",
    "duration = \"-1s\"",
    "duration = \"1ns\"",
    "rate = \"0/s\"",
    "arrival = { kind = \"closed\", clients = 3, think = \"1ms\" }",
    "keys = { dist = \"hotspot\", count = 1, hot_set_fraction = 1.0 }",
    "keys = { dist = \"sequential\", count = 5 }",
    "value_size = { dist = \"uniform\", min = 0, max = \"10MB\" }",
    "\"hbase.regionserver.global.memstore.size\" = 0.79",
    "\"hbase.regionserver.global.memstore.size.lower.limit\" = 1.0",
    "\"hbase.hregion.memstore.flush.size\" = 1",
    "\"hbase.hstore.flusher.count\" = -3",
    "\"hbase.wal.provider\" = \"asyncf\"",
    "families = []",
    "families = [\"a\", \"a\"]",
    "[[tables]]",
    "[[workloads]]",
    "[[faults]]",
    "[[faults]]\nkind = \"crash\"\nat = \"500ms\"",
    "[[faults]]\nkind = \"crash\"\nduring = \"flush\"\nprobability = 0.5",
    "[[faults]]\nkind = \"wal_torn_write\"\nat = \"300ms\"\nfraction = 0.999",
    "[[faults]]\nkind = \"wal_corruption\"\nat = \"200ms\"\nfile = \"oldest\"",
    "[[faults]]\nkind = \"wal_corruption\"\nat = \"200ms\"\nreplicas = \"all\"\nin = \"key\"",
    "[[faults]]\nkind = \"wal_corruption\"\nat = \"200ms\"\nbefore_checksum = true\nin = \"value\"",
    "[[faults]]\nkind = \"wal_unreadable\"\nat = \"200ms\"\nduration = \"1s\"",
    "[[faults]]\nkind = \"slow_disk\"\nat = \"100ms\"\nduration = \"1h\"\nfactor = 1e6",
    "[[faults]]\nkind = \"zk_expiry\"\nat = \"0s\"",
    "[[faults]]\nkind = \"wal_slow_sync\"\nprobability = 1.0\ndelay = \"1s\"",
    "[bugs]\n\"HBASE-2643\" = true\n\"HBASE-2958\" = true",
    "[bugs]\n\"HBASE-1\" = true",
    "[bugs]\n\"HBASE-10499\" = true\n\"HBASE-21738\" = true",
    "[bugs]\n\"HBASE-11868\" = true",
    "[bugs]\n\"HBASE-13811\" = true",
    "\"hbase.wal.provider\" = \"filesystem\"",
    "\"hbase.region.store.parallel.put.limit\" = 1",
    "\"hbase.regionserver.flush.throughput.controller\" = \"org.apache.hadoop.hbase.regionserver.throttle.PressureAwareFlushThroughputController\"",
    "\"hbase.regionserver.wal.slowsync.roll.threshold\" = 1",
    "\"hbase.client.write.buffer\" = \"2MB\"",
    "\"hbase.client.write.buffer\" = 1",
    "\"hbase.client.max.perserver.tasks\" = 1",
    "\"hbase.client.max.total.tasks\" = 1",
    "\"hbase.client.max.perrequest.heapsize\" = 1",
    "\"hbase.client.write.buffer.periodicflush.timeout.ms\" = 1",
    "client = \"buffered_mutator\"",
    "client = \"buffered_mutator\"\nmix = { check_and_put = 1.0 }",
    "[cpu]\nmodel = \"on\"",
    "[cpu]\nmodel = \"on\"\ncompaction_per_cell = \"1ms\"",
    "[cpu]\nmodel = \"on\"\nwal_per_entry = \"1ms\"\nwal_per_sync = \"1ms\"\nwal_per_byte = \"1us\"",
    "[cpu]\nmodel = \"off\"\nwal_per_sync = \"1us\"",
    "[cpu]\nmodel = \"off\"\ncompaction_per_cell = \"1us\"",
    "cores = 1",
    "compression = \"gz\"\ncompression_ratio = 20.0\ndata_block_encoding = \"row_index_v1\"",
    "compression = \"none\"\ncompression_ratio = 2",
    "data_block_encoding = \"prefix_tree\"",
    "[cpu]\ncompress = { zstd = \"1MB/s\" }",
    "[jvm]\ngc = \"on\"\nyoung = \"1MB\"\npause_base = \"1h\"",
    "[jvm]\ngc = \"on\"\ncopy_rate = \"1B/s\"",
    "[jvm]\ngc = \"off\"\nyoung = \"1GB\"",
    "[jvm]\ngc = \"on\"\ncollector = \"cms\"\ncms_initiating_fraction = 0\nmark_rate = \"1B/s\"",
    "[jvm]\ngc = \"on\"\nihop = 100\nold_live = \"512MB\"\nfull_rate = \"1B/s\"",
    "[jvm]\ngc = \"on\"\ncollector = \"g1\"\ncms_initiating_fraction = 70",
    "cores = 1025",
    "\"zookeeper.session.timeout\" = 1",
    "\"hbase.hlog.split.skip.errors\" = true",
    "\"hbase.regionserver.maxlogs\" = 1",
    "[[actions]]\nkind = \"admin_flush\"\nat = \"1s\"\ntable = \"usertable\"\nregion = 19",
    "mix = { put = 0.5, delete = 0.5 }",
    "durability = \"SKIP_WAL\"",
    "profile = \"hbase-1.4\"",
    "seed = -1",
    // At and past the bounds: thread pools, spans, sizes, rates, what one server holds.
    "\"hbase.regionserver.handler.count\" = 2147483647",
    "\"hbase.regionserver.handler.count\" = 10000",
    "\"hbase.hstore.flusher.count\" = 1000000000",
    "\"hbase.hstore.flusher.count\" = 1000",
    "\"hbase.rpc.timeout\" = 18446744000000",
    "\"hbase.rpc.timeout\" = \"8760h\"",
    "\"zookeeper.session.timeout\" = 9223372036854775807",
    "\"hbase.server.thread.wakefrequency\" = 31536000000",
    "\"hbase.regionserver.logroll.period\" = 99999999999999999",
    "\"hbase.busy.wait.duration\" = \"8760h\"",
    "\"hbase.busy.wait.multiplier.max\" = 100",
    "\"hbase.client.pause\" = \"8760h\"",
    "\"hbase.client.retries.number\" = 10000",
    "\"hbase.hstore.compaction.max.size\" = 9223372036854775807",
    "\"hbase.hregion.max.filesize\" = \"1024TB\"",
    "\"dfs.blocksize\" = 1",
    "\"hbase.regionserver.maxlogs\" = 2147483647",
    "\"hbase.ipc.server.max.callqueue.length\" = 1000000",
    "\"hbase.hregion.memstore.block.multiplier\" = 1000",
    "regions = 100000",
    "regions = 100001",
    "batch_rows = 100000",
    "columns = 1000",
    "duration = \"720h\"",
    "duration = \"721h\"",
    "interval = \"720h\"",
    "restart = \"24h\"",
    "hdfs_write_bandwidth = \"1B/s\"",
    "hdfs_write_bandwidth = \"2TB/s\"",
    "wal_sync_latency = { dist = \"lognormal\", median = \"1ns\", p99 = \"1h\" }",
    "network_rtt = { dist = \"exponential\", mean = \"1h\" }",
    "handler_cpu_per_mutation = \"1m\"",
    "arrival = { kind = \"open\", rate = \"0.000001/s\" }",
    "arrival = { kind = \"closed\", clients = 1000, think = \"8760h\" }",
    "value_size = { dist = \"constant\", bytes = \"10MB\" }",
    "keys = { dist = \"uniform\", count = 1000000000000000000, prefix = \"p\" }",
    "[[faults]]\nkind = \"slow_disk\"\nat = \"100ms\"\nduration = \"8760h\"\nfactor = 1000000",
    "[[faults]]\nkind = \"wal_slow_sync\"\nprobability = 0.5\ndelay = \"8760h\"",
    "[[faults]]\nkind = \"wal_unreadable\"\nat = \"100ms\"\nduration = \"8761h\"",
    "[[actions]]\nkind = \"bulk_load\"\nat = \"500ms\"\ntable = \"usertable\"\nsize = \"1TB\"",
    "[[actions]]\nkind = \"close\"\nat = \"200ms\"\ntable = \"usertable\"\nreopen_after = \"8760h\"",
    "x = [[[",
    "\u{0}",
    "name = \"../../etc\"",
];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteBytes { at: usize, len: usize },
    InsertText { at: usize, text: String },
    ReplaceLine { line: usize, with: usize },
    InsertLine { line: usize, with: usize },
    SwapLines { a: usize, b: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..20).prop_map(|(at, len)| Mutation::DeleteBytes { at, len }),
        (any::<usize>(), "[ -~]{1,8}").prop_map(|(at, text)| Mutation::InsertText { at, text }),
        (any::<usize>(), any::<usize>())
            .prop_map(|(line, with)| Mutation::ReplaceLine { line, with }),
        (any::<usize>(), any::<usize>())
            .prop_map(|(line, with)| Mutation::InsertLine { line, with }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let count = lines.len();
    match mutation {
        Mutation::DeleteBytes { at, len } => {
            let bytes = text.as_bytes();
            let start = at % bytes.len();
            let end = (start + len).min(bytes.len());
            let mut out = bytes[..start].to_vec();
            out.extend_from_slice(&bytes[end..]);
            return String::from_utf8_lossy(&out).into_owned();
        }
        Mutation::InsertText { at, text: insert } => {
            let mut at = at % text.len();
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            return format!("{}{insert}{}", &text[..at], &text[at..]);
        }
        Mutation::ReplaceLine { line, with } => {
            lines[line % count] = TRICKY_LINES[with % TRICKY_LINES.len()].to_string();
        }
        Mutation::InsertLine { line, with } => {
            lines.insert(
                line % count,
                TRICKY_LINES[with % TRICKY_LINES.len()].to_string(),
            );
        }
        Mutation::SwapLines { a, b } => lines.swap(a % count, b % count),
    }
    lines.join("\n")
}

/// 400 cases each, or `REGIONSIM_FUZZ_CASES` (the long checks ask for more).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("REGIONSIM_FUZZ_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(400),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    // Each mutated file loads or fails with a located, non-empty message; none panics. Those
    // that load run for one simulated second (at a bounded rate) without panicking.
    #[test]
    fn mutated_scenarios_never_panic(mutations in proptest::collection::vec(mutation(), 1..4)) {
        let text = mutations.iter().fold(DEFAULT.to_string(), |text, m| apply(&text, m));
        match load_str("fuzz.toml", &text, Path::new("."), &LoadOptions::default()) {
            Err(error) => {
                let message = error.to_string();
                prop_assert!(!message.is_empty());
                prop_assert!(!message.ends_with('.'), "messages end without a full stop: {message}");
            }
            Ok(scenario) => {
                let light = scenario.workloads.iter().all(|workload| match workload.arrival {
                    Arrival::Open { rate, .. } => rate * f64::from(workload.batch_rows) <= 1e6,
                    Arrival::Closed { clients, .. } => clients * workload.batch_rows <= 100_000,
                });
                if light && let Ok(short) = common::load(&text, &["duration=1s"]) {
                    let _ = simulate(&short);
                }
            }
        }
    }
}

/// A small scenario that goes through most of the model in a few seconds: puts, batches and
/// increments into two regions, an admin flush, a close, a crash the master may take its
/// ZooKeeper timeout to notice, and a slow disk.
const AT_THE_BOUNDS: &str = r#"
name = "bounds"
duration = "4s"
[server]
heap = "1GB"
restart = "never"
[[tables]]
name = "t"
regions = 2
[[workloads]]
table = "t"
arrival = { kind = "open", rate = "2k/s" }
mix = { put = 0.5, batch = 0.3, increment = 0.2 }
batch_rows = 10
keys = { dist = "uniform", count = 1000 }
[[actions]]
kind = "admin_flush"
at = "1s"
table = "t"
[[actions]]
kind = "close"
at = "1500ms"
table = "t"
region = 1
[[faults]]
kind = "slow_disk"
at = "2s"
duration = "500ms"
factor = 1000
[[faults]]
kind = "crash"
at = "3s"
"#;

// Every HBase property at either end of its range, in each line that has it, on a scenario that
// goes through most of the model: it loads (or is refused with a clean error where it clashes
// with another setting), and it runs without a panic — no bound lets the clock or a counter
// overflow, or an allocation run away.
#[test]
fn every_property_at_its_bounds_runs() {
    use regionsim::scenario::profile::{ProfileId, Range, Release, definitions};
    let mut panicked = Vec::new();
    let mut refused = Vec::new();
    let mut ran = 0;
    for profile in ProfileId::ALL {
        for def in definitions()
            .iter()
            .filter(|def| def.exists_in(Release::newest(profile)))
        {
            let ends = match def.range {
                Range::Int { min, max } => vec![min.max(-1).to_string(), max.to_string()],
                Range::Float { min, max } => vec![format!("{min:?}"), format!("{max:?}")],
                Range::Fraction { low, high } => {
                    vec![format!("{:?}", low + 1e-3), format!("{high:?}")]
                }
                Range::NotANumber => continue,
            };
            // What some properties need beside them to act at all.
            let companion = if def.name.starts_with("hbase.ipc.server.callqueue.codel.") {
                "hbase.ipc.server.callqueue.type=codel"
            } else if def.name.starts_with("hbase.regionserver.global.memstore.") {
                "hfile.block.cache.size=0"
            } else {
                "seed=1"
            };
            for value in ends {
                let sets = [
                    format!("profile={profile}"),
                    companion.to_string(),
                    format!("{}={value}", def.name),
                ];
                let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
                let scenario = match common::load(AT_THE_BOUNDS, &sets) {
                    Ok(scenario) => scenario,
                    Err(error) => {
                        refused.push(format!("{profile} {}={value}: {error}", def.name));
                        continue;
                    }
                };
                ran += 1;
                let run = std::panic::catch_unwind(|| simulate(&scenario).map(|_| ()));
                if run.is_err() {
                    panicked.push(format!("{profile} {}={value}", def.name));
                }
            }
        }
    }
    assert!(panicked.is_empty(), "panicked: {panicked:?}");
    // Only settings that clash with others are refused (a flush size above the global limit,
    // an unmodelled value, ...): most ends run.
    assert!(ran > 4 * refused.len(), "ran {ran}, refused {refused:#?}");
}

/// Paths a `--set` may name: scenario keys, list items, properties, and some that do not exist.
const SET_PATHS: &[&str] = &[
    "duration",
    "seed",
    "profile",
    "release",
    "server.heap",
    "server.restart",
    "tables.0.regions",
    "tables.0.families",
    "tables.0.compression",
    "tables.0.compression_ratio",
    "tables.0.data_block_encoding",
    "cpu.compress.lz4",
    "tables.7.regions",
    "workloads.0.arrival.rate",
    "workloads.0.batch_rows",
    "workloads.0.keys.count",
    "workloads.0.value_size.bytes",
    "workloads.0.durability",
    "io.wal_sync_latency.median",
    "io.hdfs_write_bandwidth",
    "faults.0.at",
    "bugs.HBASE-13811",
    "hbase.regionserver.handler.count",
    "hbase.hregion.memstore.flush.size",
    "hbase.rpc.timeout",
    "hbase.wal.provider",
    "report.interval",
    "nosuch",
    "tables..regions",
    "",
];

/// Values for them: right and wrong types, units, extremes, syntax.
const SET_VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "4",
    "1e400",
    "18446744073709551616",
    "9223372036854775807",
    "\"10s\"",
    "10s",
    "1ms",
    "0.5",
    "true",
    "\"asyncfs\"",
    "[\"a\", \"a\"]",
    "{ dist = \"constant\", value = \"1ms\" }",
    "\"hbase-1.4\"",
    "\"2.5.0\"",
    "\"1TB\"",
    "\"\"",
    "[[",
];

proptest! {
    #![proptest_config(config())]

    // Any `--set` (a known or unknown path, any value, or not an assignment at all) gives a
    // scenario or an error that names the argument; none panics.
    #[test]
    fn set_arguments_never_panic(
        sets in proptest::collection::vec(
            (0..SET_PATHS.len(), 0..SET_VALUES.len(), "[ -~]{0,6}", any::<bool>()),
            1..4,
        ),
    ) {
        let mut assignments = Vec::new();
        for (path, value, junk, use_junk) in &sets {
            let value = if *use_junk { junk.as_str() } else { SET_VALUES[*value] };
            let text = format!("{}={value}", SET_PATHS[*path]);
            match Assignment::parse(&text) {
                Ok(assignment) => assignments.push((text, assignment)),
                Err(error) => prop_assert!(!error.to_string().is_empty()),
            }
        }
        let options = LoadOptions {
            assignments: assignments.iter().map(|(_, assignment)| assignment.clone()).collect(),
            ..LoadOptions::default()
        };
        if let Err(error) = load_str("fuzz.toml", DEFAULT, Path::new("."), &options) {
            let message = error.to_string();
            // Named by the argument as given (its value trimmed), or by the file's line.
            prop_assert!(
                assignments.iter().any(|(text, _)| {
                    let path = text.split('=').next().unwrap_or_default();
                    message.starts_with(&format!("--set {path}="))
                }) || message.starts_with("fuzz.toml"),
                "{message}"
            );
        }
    }
}

/// A small site file, for the mutator.
const SITE: &str = r#"<?xml version="1.0"?>
<?xml-stylesheet type="text/xsl" href="configuration.xsl"?>
<configuration>
  <property>
    <name>hbase.hregion.memstore.flush.size</name>
    <value>134217728</value>
    <final>true</final>
  </property>
  <property>
    <name>hbase.regionserver.handler.count</name>
    <value>60</value>
  </property>
  <property>
    <name>hbase.tmp.dir</name>
    <value>${java.io.tmpdir}/hbase-${user.name}</value>
  </property>
</configuration>
"#;

/// Pieces of XML that stress the reader: entities, nesting, bad markup, odd text.
const SITE_PIECES: &[&str] = &[
    "<!DOCTYPE c [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>",
    "&b;&b;&b;&b;",
    "<property><name>x</name><value>1</value></property>",
    "<property><name>hbase.rpc.timeout</name><value>-1</value></property>",
    "<property><name>hbase.rpc.timeout</name><value>99999999999999999999</value></property>",
    "<a><a><a><a><a><a><a><a>",
    "</configuration>",
    "<![CDATA[ ]]>",
    "&#0;",
    "&amp;&lt;",
    "<value>",
    "\u{0}",
    "<?xml version=\"1.0\"?>",
    // Settings that load and reach the model at its edges.
    "<property><name>hbase.hregion.memstore.flush.size</name><value>1024</value></property>",
    "<property><name>hbase.regionserver.handler.count</name><value>1</value></property>",
    "<property><name>hbase.hstore.blockingWaitTime</name><value>0</value></property>",
    "<property><name>hbase.regionserver.maxlogs</name><value>1</value></property>",
    "<property><name>hbase.regionserver.logroll.period</name><value>1</value></property>",
    "<property><name>hbase.hstore.compaction.min</name><value>2</value></property>",
    "<property><name>hbase.regionserver.global.memstore.size</name><value>0.05</value></property>",
    "<property><name>hbase.wal.provider</name><value>filesystem</value></property>",
    "<property><name>hbase.client.retries.number</name><value>0</value></property>",
];

proptest! {
    #![proptest_config(config())]

    // A site file with pieces inserted, bytes cut or text added anywhere reads to properties or
    // to an error with a message; none panics, and none takes unbounded work. Those that read
    // are given to the bundled default scenario, which loads or names what it refuses, and
    // runs for a simulated second when it loads.
    #[test]
    fn mutated_site_files_never_panic(
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), 0..SITE_PIECES.len(), "[ -~]{0,6}", 0u8..3),
            1..5,
        ),
    ) {
        let mut text = SITE.to_string();
        for (at, piece, junk, how) in &edits {
            let mut at = at.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match how {
                0 => text.insert_str(at, SITE_PIECES[*piece]),
                1 => text.insert_str(at, junk),
                _ => {
                    let mut end = (at + junk.len() + 1).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
            }
        }
        if let Err(error) = parse_site_xml(&text, "fuzz-site.xml") {
            prop_assert!(!error.to_string().is_empty());
            return Ok(());
        }
        let site = site_file(&text);
        let options = LoadOptions {
            site: Some(site.clone()),
            assignments: vec![Assignment::parse("duration=1s").unwrap()],
            ..LoadOptions::default()
        };
        let loaded = load_str("fuzz.toml", DEFAULT, Path::new("."), &options);
        std::fs::remove_file(&site).unwrap();
        match loaded {
            Err(error) => {
                let message = error.to_string();
                prop_assert!(!message.is_empty());
                prop_assert!(!message.ends_with('.'), "messages end without a full stop: {message}");
            }
            Ok(scenario) => {
                let _ = simulate(&scenario);
            }
        }
    }
}

/// Writes `text` to a site file of its own in the test's scratch folder.
fn site_file(text: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "fuzz-site-{}-{}.xml",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}
