//! Progress on stderr for long work: simulated time done with events per second for a run;
//! runs done with runs per second for a sweep or an exploration. On a terminal it is an
//! indicatif bar with an ETA; anywhere else (a pipe, a CI log) it is plain lines, one each time
//! the work passes another tenth and at least one every `LINE_EVERY` of wall time while it goes
//! on, so a log shows a run moving without a bar's control characters. `--quiet` hides both.
//! They read the wall clock, which is fine here: nothing they do reaches a simulation or a
//! result file.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::sim::{SimDuration, SimTime};

/// Events between two progress reports from a run (the model's PROGRESS_EVERY_EVENTS).
const EVENTS_PER_REPORT: u64 = 1 << 16;

/// The longest wall time between two plain lines while work goes on.
const LINE_EVERY: Duration = Duration::from_secs(30);

/// How progress is shown.
#[derive(Debug, Clone)]
enum Display {
    Bar(ProgressBar),
    /// Plain lines; shared by the threads of a sweep.
    Lines(Arc<Mutex<Lines>>),
    Hidden,
}

impl Display {
    fn new(length: u64, template: &str, quiet: bool) -> Display {
        if quiet {
            Display::Hidden
        } else if std::io::stderr().is_terminal() {
            Display::Bar(bar(length, template))
        } else {
            Display::Lines(Arc::new(Mutex::new(Lines::new(length))))
        }
    }

    fn finish(&self) {
        if let Display::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

fn bar(length: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// When the next plain line is due.
#[derive(Debug)]
struct Lines {
    total: u64,
    /// Tenths of the work done at the last line.
    tenths_shown: u64,
    last_line: Instant,
}

impl Lines {
    fn new(total: u64) -> Lines {
        Lines {
            total,
            tenths_shown: 0,
            last_line: Instant::now(),
        }
    }

    /// Whether `done` of the work deserves a line: it passed another tenth, or the last line
    /// is `LINE_EVERY` old.
    fn due(&mut self, done: u64) -> bool {
        let tenths = done.saturating_mul(10) / self.total.max(1);
        let now = Instant::now();
        if tenths <= self.tenths_shown && now.duration_since(self.last_line) < LINE_EVERY {
            return false;
        }
        self.tenths_shown = self.tenths_shown.max(tenths);
        self.last_line = now;
        true
    }
}

/// `part` of `whole` as a whole percentage.
fn percent(part: u64, whole: u64) -> u64 {
    part.saturating_mul(100) / whole.max(1)
}

/// A run's progress: simulated seconds out of the scenario's duration.
#[derive(Debug)]
pub struct RunProgress {
    display: Display,
    seconds: u64,
    started: Instant,
    reports: u64,
}

impl RunProgress {
    pub fn new(duration: SimDuration, quiet: bool) -> RunProgress {
        let seconds = duration.as_nanos() / 1_000_000_000;
        RunProgress {
            display: Display::new(
                seconds,
                "{bar:40} {pos}/{len} simulated s  {msg}  ETA {eta}",
                quiet,
            ),
            seconds,
            started: Instant::now(),
            reports: 0,
        }
    }

    /// The run reached `time`.
    pub fn update(&mut self, time: SimTime) {
        self.reports += 1;
        let done = time.as_nanos() / 1_000_000_000;
        let wall_seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        let events_per_second = (self.reports * EVENTS_PER_REPORT) as f64 / wall_seconds;
        let rate = format!("{:.2}M events/s", events_per_second / 1e6);
        match &self.display {
            Display::Bar(bar) => {
                bar.set_position(done);
                bar.set_message(rate);
            }
            Display::Lines(lines) => {
                if lines.lock().is_ok_and(|mut lines| lines.due(done)) {
                    eprintln!(
                        "progress  {done}s of {}s simulated ({}%), {rate}",
                        self.seconds,
                        percent(done, self.seconds)
                    );
                }
            }
            Display::Hidden => {}
        }
    }

    pub fn finish(&self) {
        self.display.finish();
    }
}

/// A sweep's or an exploration's progress: runs done out of the runs to do. Its clones share
/// one count, so every thread can tell it of a run done.
#[derive(Debug, Clone)]
pub struct SweepProgress {
    display: Display,
    runs: u64,
    done: Arc<AtomicU64>,
    started: Instant,
}

impl SweepProgress {
    pub fn new(runs: u64, quiet: bool) -> SweepProgress {
        SweepProgress {
            display: Display::new(
                runs,
                "{bar:40} {pos}/{len} runs  {per_sec}  ETA {eta}",
                quiet,
            ),
            runs,
            done: Arc::new(AtomicU64::new(0)),
            started: Instant::now(),
        }
    }

    pub fn run_done(&self) {
        match &self.display {
            Display::Bar(bar) => bar.inc(1),
            Display::Lines(lines) => {
                let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
                if lines.lock().is_ok_and(|mut lines| lines.due(done)) {
                    let wall_seconds = self.started.elapsed().as_secs_f64().max(1e-3);
                    eprintln!(
                        "progress  {done} of {} runs ({}%), {:.2} runs/s",
                        self.runs,
                        percent(done, self.runs),
                        done as f64 / wall_seconds
                    );
                }
            }
            Display::Hidden => {}
        }
    }

    pub fn finish(&self) {
        self.display.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A line each time the work passes another tenth (one line for several tenths passed at
    // once), none in between while the wall clock is young.
    #[test]
    fn lines_come_at_each_tenth() {
        let mut lines = Lines::new(200);
        let due: Vec<u64> = (0..=200).filter(|done| lines.due(*done)).collect();
        assert_eq!(
            due,
            [20, 40, 60, 80, 100, 120, 140, 160, 180, 200],
            "one line per tenth"
        );
        let mut coarse = Lines::new(10);
        assert!(!coarse.due(0));
        assert!(coarse.due(7));
        assert!(!coarse.due(7));
        assert!(coarse.due(10));
    }
}
