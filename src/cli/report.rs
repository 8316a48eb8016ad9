//! `regionsim report DIR`: redraws `charts/` and `report.html` from a result folder's files,
//! replacing the folder whole.

use std::path::PathBuf;

use clap::Args;

use super::{EXIT_BAD_INPUT, EXIT_RUN_FAILED, Failure};
use crate::report::result_folder::{ReportError, write_report};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A result folder written by `regionsim run`.
    folder: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

pub fn report(args: ReportArgs) -> Result<(), Failure> {
    let files = write_report(&args.folder).map_err(|error| Failure {
        code: match &error {
            ReportError::Read(_) => EXIT_BAD_INPUT,
            ReportError::Folder(folder) if folder.is_bad_input() => EXIT_BAD_INPUT,
            ReportError::Write { .. } | ReportError::Folder(_) => EXIT_RUN_FAILED,
        },
        message: error.to_string(),
    })?;
    if !args.quiet {
        println!(
            "{} chart files in {}/charts/, report {}",
            files.charts.len(),
            args.folder.display(),
            args.folder.join(&files.report).display()
        );
    }
    Ok(())
}
