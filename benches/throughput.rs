//! `cargo bench`: how fast the default scenario simulates on one core, and whether memory grows
//! with the run's length (it should follow what the memstores hold, not the operation count).
//! Prints figures; asserts nothing about wall-clock time.

use std::path::Path;

use regionsim::runner::bench::bench;
use regionsim::scenario::document::Assignment;
use regionsim::scenario::{LoadOptions, load_file};

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
    for duration in ["10m", "20m"] {
        let options = LoadOptions {
            assignments: vec![
                Assignment::parse(&format!("duration={duration}")).expect("valid assignment"),
            ],
            ..LoadOptions::default()
        };
        let scenario = load_file(&path, &options).unwrap_or_else(|error| panic!("{error}"));
        let figures = bench(&scenario).unwrap_or_else(|error| panic!("{error}"));
        println!(
            "{}",
            figures.describe(&format!("default scenario, {duration}"))
        );
    }
}
