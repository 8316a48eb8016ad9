//! The `regionsim` command: argument parsing only; everything else is the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    regionsim::cli::main()
}
