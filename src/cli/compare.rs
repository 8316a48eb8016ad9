//! `regionsim compare`: runs side by side — what differs between their settings, their
//! headline figures with differences and ratios, and where the overlay charts and
//! `compare.html` went.

use std::path::PathBuf;

use clap::Args;

use super::Failure;
use super::format::table;
use crate::report::staged_folder::{FolderKind, check_apart, check_replaceable};
use crate::runner::compare::{CompareError, plan_comparison};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Result folders (regionsim run) and sweep folders (each its runs, in the sweep's order,
    /// simulated again): two runs or more.
    #[arg(required = true, value_name = "DIR")]
    folders: Vec<PathBuf>,
    /// The comparison's folder (default: results/<scenario>/compare, or results/compare for
    /// runs of several scenarios), written whole, apart from the folders compared; one that
    /// exists must be empty or a comparison, which is replaced.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

fn failure(error: CompareError) -> Failure {
    Failure::classified(error.is_bad_input(), error.to_string())
}

pub fn compare(args: CompareArgs) -> Result<(), Failure> {
    let plan = plan_comparison(&args.folders).map_err(failure)?;
    let out = args.out.unwrap_or_else(|| plan.default_folder());
    // Refused before any run is simulated again.
    check_apart("--out", &out, &plan.inputs())?;
    check_replaceable(&out, FolderKind::Compare)?;
    let again = plan.runs_to_simulate();
    if again > 0 && !args.quiet {
        eprintln!(
            "note: simulating the sweeps' {again} runs again (a sweep keeps no run folders) into {}/runs/",
            out.display()
        );
    }
    let (comparison, files) = plan.write(&out).map_err(failure)?;
    if args.quiet {
        return Ok(());
    }
    let runs: Vec<Vec<String>> = comparison
        .runs
        .iter()
        .zip(&comparison.labels)
        .enumerate()
        .map(|(index, (run, label))| {
            vec![(index + 1).to_string(), label.clone(), run.source.clone()]
        })
        .collect();
    print!("{}", table(&runs));
    let chosen = comparison.settings_table(true);
    if chosen.len() == 1 {
        println!("\nno setting differs between the runs");
    } else {
        println!("\nsettings that differ:");
        print!("{}", table(&chosen));
    }
    let followers = comparison.settings_table(false).len() - 1;
    if followers > 0 {
        println!(
            "(and {followers} propert{} at a profile default or derived from another setting: compare.html lists them)",
            if followers == 1 { "y" } else { "ies" }
        );
    }
    println!();
    print!("{}", table(&comparison.headline_table()));
    println!(
        "\n{} chart files in {}/charts/, comparison {}",
        files.charts.len(),
        out.display(),
        out.join(&files.page).display()
    );
    Ok(())
}
