//! No input makes regionsim panic: mutated scenario files load to a scenario or to a clean error,
//! and those that load also simulate (briefly) without panicking.

use std::path::Path;

use proptest::prelude::*;
use regionsim::runner::simulate;
use regionsim::scenario::document::Assignment;
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
    "\"zookeeper.session.timeout\" = 1",
    "\"hbase.hlog.split.skip.errors\" = true",
    "\"hbase.regionserver.maxlogs\" = 1",
    "[[actions]]\nkind = \"admin_flush\"\nat = \"1s\"\ntable = \"usertable\"\nregion = 19",
    "mix = { put = 0.5, delete = 0.5 }",
    "durability = \"SKIP_WAL\"",
    "profile = \"hbase-1.4\"",
    "seed = -1",
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

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("REGIONSIM_FUZZ_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(400),
        ..ProptestConfig::default()
    })]

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
                    Arrival::Open { rate, .. } => rate <= 100_000.0,
                    Arrival::Closed { clients, .. } => clients <= 1000,
                });
                if light {
                    let options = LoadOptions {
                        assignments: vec![Assignment::parse("duration=1s").unwrap()],
                        ..LoadOptions::default()
                    };
                    if let Ok(short) = load_str("fuzz.toml", &text, Path::new("."), &options) {
                        let _ = simulate(&short);
                    }
                }
            }
        }
    }
}
