//! `regionsim config`: every property in force, its value, the values it may take and its
//! source.

use clap::Args;

use super::format::table_within;
use super::{Failure, ScenarioArgs};
use crate::scenario::properties::Property;
use crate::scenario::units::format_size;

/// The property, value and allowed columns' widths, so that a row with a short source fits a
/// 100-column terminal: longer names and class names go on over the row's next lines. The
/// source is last and unbroken (a `--set` or a file:line stays whole for grep).
const COLUMN_WIDTHS: [usize; 3] = [45, 20, 14];

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Only properties whose value differs from the profile's default (a derived default
    /// computed from the other values in force).
    #[arg(long)]
    changed: bool,
}

pub fn config(args: ConfigArgs) -> Result<(), Failure> {
    let scenario = args.scenario.load()?;
    println!(
        "# {} — profile {}, release {}, heap {} ({})",
        args.scenario.scenario.display(),
        scenario.profile,
        scenario.release,
        format_size(scenario.heap_bytes),
        if scenario.compressed_oops() {
            "compressed oops"
        } else {
            "no compressed oops"
        }
    );
    let mut rows = vec![
        ["property", "value", "allowed", "source"]
            .map(String::from)
            .to_vec(),
    ];
    let properties: Vec<&Property> = if args.changed {
        let changed = scenario.properties.changed();
        changed.into_iter().map(|(property, _)| property).collect()
    } else {
        scenario.properties.iter().collect()
    };
    for property in properties {
        rows.push(vec![
            property.definition.name.to_string(),
            property.display_value(),
            property.definition.allowed(),
            property.source.to_string(),
        ]);
    }
    print!("{}", table_within(&rows, &COLUMN_WIDTHS));
    for ignored in scenario.properties.ignored() {
        println!(
            "ignored   {} = {} ({}): {}",
            ignored.name, ignored.value, ignored.origin, ignored.reason
        );
    }
    Ok(())
}
