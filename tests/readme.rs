//! The README documents the output formats; these tests keep it honest.

mod common;

use common::{bundled, run};
use regionsim::report::timeseries::timeseries_csv;

/// The first backticked name of each row of the README table that follows `heading`.
fn documented_columns(heading: &str) -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README lacks {heading:?}"));
    readme[start..]
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2)
        .filter_map(|line| line.split('`').nth(1).map(str::to_string))
        .collect()
}

// timeseries.csv's header is exactly the README's column table, with <op> standing for each
// operation kind the run sent.
#[test]
fn timeseries_columns_match_the_readme() {
    let scenario = bundled("scenarios/default.toml", &["duration=5s"]);
    let (outcome, _) = run(&scenario);
    let csv = timeseries_csv(&scenario, &outcome);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let documented: Vec<String> = documented_columns("`timeseries.csv` columns")
        .into_iter()
        .map(|column| column.replace("<op>", "batch"))
        .collect();
    assert_eq!(header, documented);
}

// Every image the README shows is a PNG in the repository, at the relative path it names.
#[test]
fn readme_images_exist() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(manifest.join("README.md")).unwrap();
    let images: Vec<&str> = readme
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|target| target.ends_with(".png"))
        .collect();
    assert_eq!(images.len(), 2, "{images:?}");
    for image in images {
        let bytes = std::fs::read(manifest.join(image)).unwrap_or_else(|_| panic!("{image}"));
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{image} is not a PNG"
        );
    }
}
