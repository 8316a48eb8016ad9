//! Progress bars on stderr for long work: simulated time done with events per second and an
//! ETA for a run; runs done with runs per second for a sweep. indicatif hides them when stderr
//! is not a terminal; `--quiet` hides them always. They read the wall clock, which is fine here:
//! nothing they do reaches a simulation.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::sim::{SimDuration, SimTime};

/// Events between two progress reports from a run (the model's PROGRESS_EVERY_EVENTS).
const EVENTS_PER_REPORT: u64 = 1 << 16;

fn bar(length: u64, template: &str, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(length),
        if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A run's bar: simulated seconds out of the scenario's duration.
#[derive(Debug)]
pub struct RunProgress {
    bar: ProgressBar,
    started: Instant,
    reports: u64,
}

impl RunProgress {
    pub fn new(duration: SimDuration, quiet: bool) -> RunProgress {
        RunProgress {
            bar: bar(
                duration.as_nanos() / 1_000_000_000,
                "{bar:40} {pos}/{len} simulated s  {msg}  ETA {eta}",
                quiet,
            ),
            started: Instant::now(),
            reports: 0,
        }
    }

    /// The run reached `time`.
    pub fn update(&mut self, time: SimTime) {
        self.reports += 1;
        self.bar.set_position(time.as_nanos() / 1_000_000_000);
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        let events_per_second = (self.reports * EVENTS_PER_REPORT) as f64 / seconds;
        self.bar
            .set_message(format!("{:.2}M events/s", events_per_second / 1e6));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A sweep's bar: runs done out of the runs to do.
#[derive(Debug, Clone)]
pub struct SweepProgress {
    bar: ProgressBar,
}

impl SweepProgress {
    pub fn new(runs: u64, quiet: bool) -> SweepProgress {
        SweepProgress {
            bar: bar(
                runs,
                "{bar:40} {pos}/{len} runs  {per_sec}  ETA {eta}",
                quiet,
            ),
        }
    }

    pub fn run_done(&self) {
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
