//! Every bundled scenario loads, and the resource models it leaves off (the cores, the
//! collector) change nothing when set off explicitly: the run is the same, event for event, as
//! the scenario without the setting.

mod common;

use common::{bundled, run};

/// The bundled scenarios, by path, in name order.
fn scenarios() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".toml"))
        .map(|name| format!("scenarios/{name}"))
        .collect();
    paths.sort();
    paths
}

// Twenty simulated seconds of each (faults later than that are refused as past the run's end,
// so those scenarios run whole): the models off by name give the very same run.
#[test]
fn models_set_off_change_no_bundled_scenario() {
    let paths = scenarios();
    assert!(paths.len() >= 15, "{paths:?}");
    for path in &paths {
        let short = ["duration=20s"];
        let scenario = common::load_bundled(path, &short).unwrap_or_else(|_| bundled(path, &[]));
        let cpu_on = scenario.cpu.cores.is_some();
        let gc_on = scenario.jvm.gc;
        let mut offs: Vec<&str> = Vec::new();
        if !cpu_on {
            offs.push("cpu.model=off");
        }
        if !gc_on {
            offs.push("jvm.gc=off");
        }
        if offs.is_empty() {
            continue;
        }
        let (_, as_written) = run(&scenario);
        let duration = format!("duration={}s", scenario.duration.as_secs_f64());
        offs.push(&duration);
        let (_, off) = run(&bundled(path, &offs));
        assert_eq!(as_written.trace_hash, off.trace_hash, "{path}");
        assert_eq!(as_written.cpu.is_some(), cpu_on, "{path}");
        assert_eq!(as_written.gc.is_some(), gc_on, "{path}");
    }
}
