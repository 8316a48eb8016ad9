//! `regionsim capacity`: the largest (or smallest) value of one setting that meets every SLO,
//! with every run it made, the bottleneck at the boundary, `capacity.json` and a chart.

use std::fmt::Write as _;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Args;

use super::format::{latency, table};
use super::{Failure, ScenarioArgs, parallel_jobs};
use crate::report::charts::capacity::chart;
use crate::report::charts::write_charts;
use crate::report::files::write_atomic;
use crate::report::staged_folder::{FolderKind, StagedFolder, check_apart, check_replaceable};
use crate::runner::capacity::{
    CapacityError, CapacityPlan, CapacityResult, Direction, Precision, STEPS_MAX, Search, Slo,
    Trial,
};
use crate::runner::sweep::{SWEEP_FORMAT, SweepManifest, Vary, parse_seeds};

#[derive(Debug, Args)]
pub struct CapacityArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The setting searched and its range, as for --set: workloads[0].arrival.rate=10k/s..80k/s.
    /// It must be monotone: more only ever harder (a rate) or only ever easier (handlers).
    #[arg(long, value_name = "PATH=LOW..HIGH")]
    search: String,
    /// An objective every run must meet: p99<200ms, batch.p999<1s (p50, p90, p99, p999, max,
    /// mean), no-blocking, no-failures, kept-up. Repeat for several (default: kept-up).
    #[arg(long = "slo", value_name = "SLO")]
    slos: Vec<String>,
    /// Seeds each value runs with: 7, 1..10 or 1,5,9 (default: the scenario's seed).
    #[arg(long)]
    seeds: Option<String>,
    /// The share of seeds that must meet the SLOs for a value to (default 1: all of them).
    #[arg(long, default_value_t = 1.0)]
    quorum: f64,
    /// How close the answer must be: a share of it (1%) or an amount of the setting (500/s).
    #[arg(long, default_value = "1%")]
    precision: String,
    /// Runs in parallel (a value's seeds; default: the machine's cores); the answer does not
    /// depend on it.
    #[arg(long)]
    jobs: Option<NonZeroUsize>,
    /// The output folder (default: results/<scenario>/capacity), written whole; one that exists
    /// must be empty or a capacity folder, which is replaced.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print nothing but the answer and errors.
    #[arg(long, short)]
    quiet: bool,
}

pub fn capacity(args: CapacityArgs) -> Result<(), Failure> {
    let base = args.scenario.load()?;
    let search = Search::parse(&args.search).map_err(Failure::bad_input)?;
    let slos = if args.slos.is_empty() {
        vec![Slo::KeptUp]
    } else {
        args.slos
            .iter()
            .map(|text| Slo::parse(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Failure::bad_input)?
    };
    if !(args.quorum > 0.0 && args.quorum <= 1.0) {
        return Err(Failure::bad_input(format!(
            "--quorum is the share of seeds that must meet the SLOs, above 0 and at most 1; found {}",
            args.quorum
        )));
    }
    let precision =
        Precision::parse(&args.precision, search.quantity).map_err(Failure::bad_input)?;
    let seeds = match &args.seeds {
        Some(text) => parse_seeds(text).map_err(Failure::bad_input)?,
        None => vec![base.seed],
    };
    let plan = CapacityPlan {
        manifest: SweepManifest {
            format: SWEEP_FORMAT.to_string(),
            scenario: args.scenario.scenario.display().to_string(),
            sets: args.scenario.sets.clone(),
            site: args
                .scenario
                .site
                .as_ref()
                .map(|site| site.display().to_string()),
            vary: vec![Vary {
                path: search.path.clone(),
                values: Vec::new(),
            }],
            seeds,
            shard: None,
        },
        search,
        slos,
        quorum: args.quorum,
        precision,
    };
    let folder = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&base.name).join("capacity"));
    check_apart("--out", &folder, &args.scenario.inputs())?;
    check_replaceable(&folder, FolderKind::Capacity)?;
    let jobs = parallel_jobs(args.jobs, plan.manifest.seeds.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|error| Failure::run_failed(format!("cannot start {jobs} threads: {error}")))?;
    let quiet = args.quiet;
    let quantity = plan.search.quantity;
    let on_value = |trials: &[Trial]| {
        if quiet {
            return;
        }
        let met = trials.iter().filter(|trial| trial.met).count();
        let missed = trials
            .iter()
            .find_map(|trial| trial.missed.clone())
            .map(|slo| format!(", missed {slo}"))
            .unwrap_or_default();
        eprintln!(
            "capacity: {} = {}: {met} of {} seeds met the SLOs{missed}",
            plan.search.path,
            trials
                .first()
                .map_or(String::new(), |t| quantity.show(t.value)),
            trials.len()
        );
    };
    let result = pool
        .install(|| plan.run(&on_value))
        .map_err(|error| match error {
            CapacityError::Scenario(message) => Failure::bad_input(message),
            CapacityError::Run(message) => Failure::run_failed(message),
        })?;
    let text = describe(&result);
    write_folder(&folder, &result, &text)?;
    if quiet {
        if let Some(answer) = &result.answer_shown {
            println!("{answer}");
        }
    } else {
        print!("{text}");
        println!("results {}/", folder.display());
    }
    if result.answer.is_none() {
        return Err(Failure::run_failed(format!(
            "no value of {} from {} to {} meets {}",
            result.search.path,
            quantity.show(result.search.low),
            quantity.show(result.search.high),
            result.slos.join(", ")
        )));
    }
    Ok(())
}

/// The table of every run, then the answer with its margin and the bottleneck there.
fn describe(result: &CapacityResult) -> String {
    let quantity = result.search.quantity;
    let mut rows = vec![{
        let mut header = vec![result.search.path.clone(), "seed".to_string()];
        header.extend(result.slos.iter().cloned());
        header.extend(["met".to_string(), "bottleneck".to_string()]);
        header
    }];
    for trial in &result.trials {
        let mut row = vec![quantity.show(trial.value), trial.seed.to_string()];
        for (slo, figure) in result.slos.iter().zip(&trial.figures) {
            row.push(if slo.contains('<') {
                latency(*figure)
            } else if slo == "kept-up" {
                if *figure > 0.0 { "yes" } else { "no" }.to_string()
            } else {
                format!("{figure}")
            });
        }
        row.push(if trial.met { "yes" } else { "no" }.to_string());
        row.push(trial.bottleneck.clone().unwrap_or_else(|| "—".to_string()));
        rows.push(row);
    }
    let mut out = table(&rows);
    let values = {
        let mut values: Vec<f64> = result.trials.iter().map(|trial| trial.value).collect();
        values.dedup();
        values.len()
    };
    let seeds = result.seeds.len();
    let _ = writeln!(
        out,
        "\n{} runs: {values} values × {seeds} seed{}",
        result.trials.len(),
        if seeds == 1 { "" } else { "s" }
    );
    let slos = result.slos.join(", ");
    match (result.answer, result.direction) {
        (Some(answer), Some(direction)) => {
            let which = match direction {
                Direction::Largest => "largest",
                Direction::Smallest => "smallest",
            };
            let _ = write!(
                out,
                "answer: the {which} {} meeting {slos} is {}",
                result.search.path,
                quantity.show(answer)
            );
            match result.failing_neighbour {
                Some(failing) => {
                    let _ = write!(
                        out,
                        " ({} does not; margin {})",
                        quantity.show(failing),
                        quantity.show((failing - answer).abs())
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        " — every value in the range meets them; the boundary lies beyond"
                    );
                }
            }
            out.push('\n');
            if let Some(bottleneck) = &result.bottleneck_at_boundary {
                let _ = writeln!(out, "bottleneck at the boundary: {bottleneck}");
            }
        }
        _ => {
            let _ = writeln!(out, "answer: none — no value in the range meets {slos}");
        }
    }
    if result.trials.len() >= 2 * result.seeds.len() + STEPS_MAX as usize * result.seeds.len() {
        let _ = writeln!(
            out,
            "(the search stopped after {STEPS_MAX} halvings before reaching its precision)"
        );
    }
    out
}

/// `capacity.json`, `capacity.txt` and the chart, written whole.
fn write_folder(
    folder: &std::path::Path,
    result: &CapacityResult,
    text: &str,
) -> Result<(), Failure> {
    let staged = StagedFolder::create(folder, FolderKind::Capacity)?;
    let written = |name: &str, bytes: &[u8]| {
        write_atomic(&staged.path().join(name), bytes).map_err(|error| {
            Failure::run_failed(format!(
                "cannot write {}: {error}",
                folder.join(name).display()
            ))
        })
    };
    let mut json = serde_json::to_string_pretty(result).expect("a capacity result serializes");
    json.push('\n');
    written("capacity.json", json.as_bytes())?;
    written("capacity.txt", text.as_bytes())?;
    write_charts(&staged.path().join("charts"), &[chart(result)]).map_err(|error| {
        Failure::run_failed(format!(
            "cannot write {}: {error}",
            folder.join("charts").display()
        ))
    })?;
    staged.commit()?;
    Ok(())
}
