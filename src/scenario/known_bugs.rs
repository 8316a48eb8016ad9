//! Known HBase bugs that a run can switch back on, to reproduce what an older release did.
//!
//! Each switch is a documented deviation from the modelled release lines (1.4, 2.5), off by
//! default, named by its JIRA. A scenario's `[bugs]` section names them (`"HBASE-2643" =
//! true`); `KnownBugs::from_entries` reads those names. The model asks `is_on` where the bug
//! would have acted.
//!
//! - **HBASE-2643** "Figure how to deal with eof splitting logs" (fixed in 0.90.0, commit
//!   39e213e62de of 2010-09-03). Before the fix, `HLog.splitLog` caught the EOFException of a
//!   truncated last record as any other IOException: with `hbase.hlog.split.skip.errors`
//!   false the split failed, with it true the log was moved to the corrupt directory (edits
//!   read before the EOF were kept). A server that dies under load almost always leaves its
//!   last WAL truncated, so the bug failed most crash recoveries. A zero-length log was skipped
//!   even then.
//! - **HBASE-2958** "When hbase.hlog.split.skip.errors is set to false, we fail the split but
//!   thats it", the limitation the 0.90 reference guide cites. Until HBASE-5137 (0.90.5)
//!   added a retry loop to `MasterFileSystem.splitLog`, a failed split was logged and given up:
//!   the master went on to assign the dead server's regions, which opened without the edits
//!   of the logs that had not split. 1.4 and 2.5 retry instead (the split task is resubmitted,
//!   ServerCrashProcedure retries its SPLIT_LOGS step; 2.5's SplitWALProcedure without limit).

use std::fmt;

use super::suggest::did_you_mean;

/// One known bug that can be switched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KnownBug {
    /// An EOF while splitting a WAL is an error, not the end of the file.
    Hbase2643,
    /// A split that fails with skip.errors false is given up, not retried.
    Hbase2958,
}

impl KnownBug {
    pub const ALL: [KnownBug; 2] = [KnownBug::Hbase2643, KnownBug::Hbase2958];

    /// The JIRA id, which is also the bug's key in a scenario's `[bugs]`.
    pub fn jira(self) -> &'static str {
        match self {
            KnownBug::Hbase2643 => "HBASE-2643",
            KnownBug::Hbase2958 => "HBASE-2958",
        }
    }

    /// A short name for the behaviour, also accepted in `[bugs]`.
    pub fn name(self) -> &'static str {
        match self {
            KnownBug::Hbase2643 => "eof-fails-wal-split",
            KnownBug::Hbase2958 => "failed-wal-split-given-up",
        }
    }

    /// What switching it on does, in a line.
    pub fn description(self) -> &'static str {
        match self {
            KnownBug::Hbase2643 => {
                "a truncated WAL (an EOF mid-entry) fails the split, or with skip.errors goes to corrupt/, instead of ending the file"
            }
            KnownBug::Hbase2958 => {
                "a WAL split that fails with skip.errors false is given up, not retried: the regions open without the unsplit edits"
            }
        }
    }

    /// The bug named by its JIRA id (any case) or its short name.
    pub fn from_name(name: &str) -> Option<KnownBug> {
        KnownBug::ALL.into_iter().find(|bug| {
            bug.jira().eq_ignore_ascii_case(name) || bug.name().eq_ignore_ascii_case(name)
        })
    }
}

impl fmt::Display for KnownBug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jira())
    }
}

/// A name in `[bugs]` that is no known bug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownBug {
    pub name: String,
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for UnknownBug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown bug {:?}", self.name)?;
        if let Some(suggestion) = self.suggestion {
            write!(f, " (did you mean {suggestion:?}?)")?;
        }
        let known: Vec<&str> = KnownBug::ALL.iter().map(|bug| bug.jira()).collect();
        write!(f, "; known bugs: {}", known.join(", "))
    }
}

impl std::error::Error for UnknownBug {}

/// The set of known bugs switched on; empty by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KnownBugs {
    /// One bit per `KnownBug`, by its position in `ALL`.
    bits: u32,
}

impl KnownBugs {
    pub const NONE: KnownBugs = KnownBugs { bits: 0 };

    fn bit(bug: KnownBug) -> u32 {
        1 << KnownBug::ALL
            .iter()
            .position(|other| *other == bug)
            .expect("every bug is in ALL")
    }

    /// These bugs with `bug` switched on too.
    pub fn with(self, bug: KnownBug) -> KnownBugs {
        KnownBugs {
            bits: self.bits | KnownBugs::bit(bug),
        }
    }

    pub fn is_on(self, bug: KnownBug) -> bool {
        self.bits & KnownBugs::bit(bug) != 0
    }

    /// The bugs switched on, in `ALL` order.
    pub fn iter(self) -> impl Iterator<Item = KnownBug> {
        KnownBug::ALL
            .into_iter()
            .filter(move |bug| self.is_on(*bug))
    }

    /// Reads `[bugs]` entries (`"HBASE-2643" = true`); `false` leaves a bug off.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = (&'a str, bool)>,
    ) -> Result<KnownBugs, UnknownBug> {
        let mut bugs = KnownBugs::NONE;
        for (name, on) in entries {
            let bug = KnownBug::from_name(name).ok_or_else(|| {
                let candidates: Vec<&str> = KnownBug::ALL
                    .iter()
                    .flat_map(|bug| [bug.jira(), bug.name()])
                    .collect();
                UnknownBug {
                    name: name.to_string(),
                    suggestion: did_you_mean(name, &candidates),
                }
            })?;
            if on {
                bugs = bugs.with(bug);
            }
        }
        Ok(bugs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Names round-trip, `[bugs]` entries switch bugs on or leave them off, and a misspelt
    // JIRA id gets a suggestion.
    #[test]
    fn names_and_parsing() {
        for bug in KnownBug::ALL {
            assert_eq!(KnownBug::from_name(bug.jira()), Some(bug));
            assert_eq!(KnownBug::from_name(bug.name()), Some(bug));
            assert!(!bug.description().is_empty());
        }
        assert_eq!(KnownBug::from_name("hbase-2643"), Some(KnownBug::Hbase2643));
        let bugs = KnownBugs::from_entries([("HBASE-2643", true), ("HBASE-2958", false)]).unwrap();
        assert!(bugs.is_on(KnownBug::Hbase2643));
        assert!(!bugs.is_on(KnownBug::Hbase2958));
        assert_eq!(bugs.iter().collect::<Vec<_>>(), [KnownBug::Hbase2643]);
        assert_eq!(KnownBugs::default(), KnownBugs::NONE);
        let error = KnownBugs::from_entries([("HBASE-2463", true)]).unwrap_err();
        assert_eq!(error.suggestion, Some("HBASE-2643"));
        assert_eq!(
            error.to_string(),
            "unknown bug \"HBASE-2463\" (did you mean \"HBASE-2643\"?); known bugs: HBASE-2643, HBASE-2958"
        );
    }
}
