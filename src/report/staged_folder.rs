//! Folders written whole or not at all: a command writes its folder into a temporary sibling
//! (`.<name>.tmp-<pid>`, in the same parent so that a rename moves it) and puts it in place of
//! the target only when every file is written. A kill therefore leaves the old folder or the
//! new one, never a mix, and never a file of one run beside the files of another.
//!
//! Replacing takes two renames (the old folder aside as `.<name>.old-<pid>`, the new one in),
//! then the old one is removed. A kill between the renames leaves the target absent and the old
//! folder aside: the next command to write (or redraw) the target puts it back first, and
//! removes any temporary sibling a killed command left. Two commands writing the same target at
//! once are not supported: the later one removes the earlier one's temporary folder, which then
//! fails to commit (an error, not a mix).
//!
//! Only a folder regionsim wrote is ever replaced: it holds a `.regionsim` marker naming its
//! kind (run, sweep, …), and only a folder of the same kind is replaced. A missing or empty
//! target is fine; anything else is refused, so that `--out ~/Documents` cannot be wiped. A
//! command's output folder must also stay apart from its inputs (`check_apart`): replacing a
//! folder that holds the scenario, or a shard being merged, would destroy what it reads.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::files::write_atomic;

/// The marker file every folder regionsim writes holds; its first line names the kind.
pub const MARKER: &str = ".regionsim";

/// What a folder holds; a folder is only replaced by one of the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    /// A run's result folder (`run`, redrawn by `report`).
    Run,
    /// A sweep, a shard of one, or shards merged.
    Sweep,
    /// An exploration's failing seeds.
    Explore,
    /// The simulated filesystem a run exported (`run --export-wal`).
    WalExport,
    /// A WAL directory split into recovered edits (`wal split`).
    WalSplit,
    /// A capacity search's runs and answer.
    Capacity,
    /// Runs side by side (`compare`).
    Compare,
}

impl FolderKind {
    const ALL: [FolderKind; 7] = [
        FolderKind::Run,
        FolderKind::Sweep,
        FolderKind::Explore,
        FolderKind::WalExport,
        FolderKind::WalSplit,
        FolderKind::Capacity,
        FolderKind::Compare,
    ];

    fn name(self) -> &'static str {
        match self {
            FolderKind::Run => "run",
            FolderKind::Sweep => "sweep",
            FolderKind::Explore => "explore",
            FolderKind::WalExport => "wal export",
            FolderKind::WalSplit => "wal split",
            FolderKind::Capacity => "capacity",
            FolderKind::Compare => "compare",
        }
    }

    /// The marker's text: the kind on the first line, then a word to whoever opens it.
    fn marker(self) -> String {
        format!(
            "regionsim {}\nThis folder was written whole by regionsim; regionsim replaces it whole when it writes here again.\n",
            self.name()
        )
    }

    /// The kind a marker's text names, if it names one.
    fn of_marker(text: &str) -> Option<FolderKind> {
        let first = text.lines().next()?.strip_prefix("regionsim ")?;
        FolderKind::ALL
            .into_iter()
            .find(|kind| kind.name() == first)
    }

    /// The kind `folder`'s marker names, if it has a marker that names one: what a command
    /// that reads folders of several kinds (`compare`) is given.
    pub fn of_folder(folder: &Path) -> Option<FolderKind> {
        FolderKind::of_marker(&fs::read_to_string(folder.join(MARKER)).ok()?)
    }
}

impl fmt::Display for FolderKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// Why a folder cannot be written where it was asked for.
#[derive(Debug, Error)]
pub enum FolderError {
    #[error(
        "{path} is not empty and is not a folder regionsim wrote (regionsim marks its folders with a {MARKER} file naming their kind): refusing to replace it; give a new or empty folder"
    )]
    NotOurs { path: PathBuf },
    #[error(
        "{path} holds a regionsim {found}, not a {wanted}: refusing to replace it; give a new or empty folder"
    )]
    OtherKind {
        path: PathBuf,
        found: FolderKind,
        wanted: FolderKind,
    },
    #[error("{path} is a file, not a folder")]
    NotAFolder { path: PathBuf },
    #[error("{flag} {out} {relation} {role} {input}; give {flag} a folder apart from it")]
    NotApart {
        flag: &'static str,
        out: PathBuf,
        relation: Relation,
        role: &'static str,
        input: PathBuf,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl FolderError {
    /// Whether the command was asked for something it must refuse (exit 2), rather than
    /// failing to write (exit 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, FolderError::Write { .. })
    }
}

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> FolderError + '_ {
    move |source| FolderError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Checks that `target` may be written as a folder of `kind`: absent, empty, or a folder
/// regionsim wrote of that kind. Commands call it before their work, so that a refusal costs
/// nothing; `StagedFolder::create` and `commit` check again.
pub fn check_replaceable(target: &Path, kind: FolderKind) -> Result<(), FolderError> {
    let metadata = match fs::metadata(target) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(write_error(target)(error)),
    };
    if !metadata.is_dir() {
        return Err(FolderError::NotAFolder {
            path: target.to_path_buf(),
        });
    }
    let marker = target.join(MARKER);
    match fs::read_to_string(&marker) {
        Ok(text) => match FolderKind::of_marker(&text) {
            Some(found) if found == kind => Ok(()),
            Some(found) => Err(FolderError::OtherKind {
                path: target.to_path_buf(),
                found,
                wanted: kind,
            }),
            None => Err(FolderError::NotOurs {
                path: target.to_path_buf(),
            }),
        },
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let mut entries = fs::read_dir(target).map_err(write_error(target))?;
            match entries.next() {
                None => Ok(()),
                Some(_) => Err(FolderError::NotOurs {
                    path: target.to_path_buf(),
                }),
            }
        }
        Err(error) => Err(write_error(&marker)(error)),
    }
}

/// How an output folder and an input overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Is,
    Holds,
    IsInside,
}

impl fmt::Display for Relation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Relation::Is => "is",
            Relation::Holds => "holds",
            Relation::IsInside => "is inside",
        })
    }
}

/// One thing a command reads, for `check_apart`.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// What it is to the command, as a message names it: "the scenario file".
    pub role: &'static str,
    pub path: &'a Path,
}

/// Refuses an output folder that is one of the command's inputs, holds one, or lies inside one
/// (paths compared with symbolic links and `..` resolved as far as they exist); `flag` is how
/// the command line names the folder.
pub fn check_apart(flag: &'static str, out: &Path, inputs: &[Input]) -> Result<(), FolderError> {
    let resolved_out = resolved(out);
    for input in inputs {
        let resolved_input = resolved(input.path);
        let relation = if resolved_out == resolved_input {
            Relation::Is
        } else if resolved_input.starts_with(&resolved_out) {
            Relation::Holds
        } else if resolved_out.starts_with(&resolved_input) {
            Relation::IsInside
        } else {
            continue;
        };
        return Err(FolderError::NotApart {
            flag,
            out: out.to_path_buf(),
            relation,
            role: input.role,
            input: input.path.to_path_buf(),
        });
    }
    Ok(())
}

/// `path` made absolute, its longest existing part canonicalised (symbolic links and `..`
/// resolved) and the rest appended as written.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            return rest
                .iter()
                .rev()
                .fold(canonical, |path, component| path.join(component));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// A folder being written: files go under `path()`, a temporary sibling of the target, and
/// `commit` puts the whole folder in place. Dropped uncommitted (an error on the way), the
/// temporary folder is removed and the target is as it was.
#[derive(Debug)]
pub struct StagedFolder {
    target: PathBuf,
    staging: PathBuf,
    kind: FolderKind,
    /// Whether `commit` checks the target again: not for a redraw, whose target is read as a
    /// result instead.
    check_target: bool,
    committed: bool,
}

impl StagedFolder {
    /// Starts writing `target` afresh as a folder of `kind`: it must be absent, empty or a
    /// folder of that kind, which `commit` replaces.
    pub fn create(target: &Path, kind: FolderKind) -> Result<StagedFolder, FolderError> {
        let staged = StagedFolder::begin(target, kind, true)?;
        check_replaceable(&staged.target, kind)?;
        fs::create_dir(&staged.staging).map_err(write_error(&staged.staging))?;
        Ok(staged)
    }

    /// Starts rewriting part of an existing folder (`report` redrawing charts): the new folder
    /// begins as the target's files and folders, hard-linked (copied where linking fails), but
    /// those named in `replaced` and the marker, which `commit` writes again.
    pub fn amend(
        target: &Path,
        kind: FolderKind,
        replaced: &[&str],
    ) -> Result<StagedFolder, FolderError> {
        let staged = StagedFolder::begin(target, kind, false)?;
        fs::create_dir(&staged.staging).map_err(write_error(&staged.staging))?;
        let mut leave_out: Vec<&str> = replaced.to_vec();
        leave_out.push(MARKER);
        if staged.target.is_dir() {
            link_tree(&staged.target, &staged.staging, &leave_out)?;
        }
        Ok(staged)
    }

    /// Names the temporary folder, creates the target's parent, and tidies what a killed
    /// command left.
    fn begin(
        target: &Path,
        kind: FolderKind,
        check_target: bool,
    ) -> Result<StagedFolder, FolderError> {
        // `.` and `..` have no name to put a sibling beside; their real path does.
        let target = if target.file_name().is_some() {
            target.to_path_buf()
        } else {
            target.canonicalize().map_err(write_error(target))?
        };
        let parent = parent_of(&target);
        fs::create_dir_all(&parent).map_err(write_error(&parent))?;
        restore_interrupted(&target)?;
        Ok(StagedFolder {
            staging: sibling(&target, "tmp", std::process::id()),
            target,
            kind,
            check_target,
            committed: false,
        })
    }

    /// Where the folder's files are written until `commit`.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Writes the marker and puts the folder in place of the target, whole.
    pub fn commit(mut self) -> Result<(), FolderError> {
        let marker = self.staging.join(MARKER);
        write_atomic(&marker, self.kind.marker().as_bytes()).map_err(write_error(&marker))?;
        // The target may have changed while the command worked.
        if self.check_target {
            check_replaceable(&self.target, self.kind)?;
        }
        let aside = sibling(&self.target, "old", std::process::id());
        let replacing = match fs::symlink_metadata(&self.target) {
            Ok(_) => {
                fs::rename(&self.target, &aside).map_err(write_error(&self.target))?;
                true
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => false,
            Err(error) => return Err(write_error(&self.target)(error)),
        };
        if let Err(error) = fs::rename(&self.staging, &self.target) {
            if replacing {
                // Put the old folder back; should that fail too, the next command does.
                let _ = fs::rename(&aside, &self.target);
            }
            return Err(write_error(&self.target)(error));
        }
        self.committed = true;
        if replacing {
            // The new folder is in place; an old one that cannot be removed now is removed by
            // the next command into this target, so this is no failure of the command.
            let _ = fs::remove_dir_all(&aside);
        }
        Ok(())
    }
}

impl Drop for StagedFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// The folder `target` lies in (`.` for a bare name).
fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `.<name>.<what>-<pid>` beside `target`.
fn sibling(target: &Path, what: &str, pid: u32) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(target.file_name().unwrap_or_default());
    name.push(format!(".{what}-{pid}"));
    target.with_file_name(name)
}

/// Whether `entry` is `.<name>.<what>-<digits>` for the target's name.
fn is_sibling(entry: &std::ffi::OsStr, target: &Path, what: &str) -> bool {
    let prefix = [
        b".".as_slice(),
        target.file_name().unwrap_or_default().as_encoded_bytes(),
        format!(".{what}-").as_bytes(),
    ]
    .concat();
    entry
        .as_encoded_bytes()
        .strip_prefix(prefix.as_slice())
        .is_some_and(|pid| !pid.is_empty() && pid.iter().all(u8::is_ascii_digit))
}

/// Undoes what a killed command left beside `target`: puts an old folder set aside back if
/// the target is missing (a kill between commit's renames), and removes every other old folder
/// and temporary folder of this target.
pub fn restore_interrupted(target: &Path) -> Result<(), FolderError> {
    let parent = parent_of(target);
    let entries = match fs::read_dir(&parent) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(write_error(&parent)(error)),
    };
    let mut stagings = Vec::new();
    let mut asides = Vec::new();
    for entry in entries {
        let name = entry.map_err(write_error(&parent))?.file_name();
        if is_sibling(&name, target, "tmp") {
            stagings.push(parent.join(name));
        } else if is_sibling(&name, target, "old") {
            asides.push(parent.join(name));
        }
    }
    // In name order, so that which of several old folders comes back does not depend on the
    // directory's order.
    asides.sort();
    let target_missing = matches!(
        fs::symlink_metadata(target),
        Err(error) if error.kind() == io::ErrorKind::NotFound
    );
    let mut asides = asides.into_iter();
    if target_missing && let Some(old) = asides.next() {
        fs::rename(&old, target).map_err(write_error(target))?;
    }
    for leftover in stagings.into_iter().chain(asides) {
        remove_any(&leftover).map_err(write_error(&leftover))?;
    }
    Ok(())
}

/// Removes a folder with everything in it, or a file.
fn remove_any(path: &Path) -> io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

/// Recreates `from`'s folders under `to` and hard-links its files there (copying a file that
/// cannot be linked), leaving out the top-level entries named in `leave_out`.
fn link_tree(from: &Path, to: &Path, leave_out: &[&str]) -> Result<(), FolderError> {
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(from)
        .map_err(write_error(from))?
        .collect::<Result<_, _>>()
        .map_err(write_error(from))?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name();
        if leave_out.iter().any(|left| name == *left) {
            continue;
        }
        let (source, copy) = (entry.path(), to.join(&name));
        let file_type = entry.file_type().map_err(write_error(&source))?;
        if file_type.is_dir() {
            fs::create_dir(&copy).map_err(write_error(&copy))?;
            link_tree(&source, &copy, &[])?;
        } else if fs::hard_link(&source, &copy).is_err() {
            fs::copy(&source, &copy).map_err(write_error(&copy))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("regionsim-staged-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    // A folder is written beside its target and appears whole at commit, replacing the old
    // one (and its files the new one did not write); nothing is left beside it.
    #[test]
    fn commit_replaces_the_old_folder_whole() {
        let dir = scratch("commit");
        let target = dir.join("out");
        let first = StagedFolder::create(&target, FolderKind::Run).unwrap();
        fs::write(first.path().join("old.txt"), "old").unwrap();
        assert!(!target.exists(), "nothing appears before commit");
        first.commit().unwrap();
        let second = StagedFolder::create(&target, FolderKind::Run).unwrap();
        fs::write(second.path().join("new.txt"), "new").unwrap();
        assert_eq!(names(&target), [MARKER, "old.txt"]);
        second.commit().unwrap();
        assert_eq!(names(&target), [MARKER, "new.txt"]);
        assert_eq!(names(&dir), ["out"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    // Dropped without commit (an error on the way), the temporary folder goes and the target
    // stays as it was.
    #[test]
    fn an_abandoned_folder_leaves_the_target_alone() {
        let dir = scratch("abandon");
        let target = dir.join("out");
        let staged = StagedFolder::create(&target, FolderKind::Sweep).unwrap();
        fs::write(staged.path().join("half.txt"), "half").unwrap();
        drop(staged);
        assert!(names(&dir).is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    // Absent, empty and own-kind folders may be written; a file, a folder without the marker,
    // one with a foreign marker and one of another kind may not.
    #[test]
    fn only_empty_or_own_folders_are_replaceable() {
        let dir = scratch("replaceable");
        let empty = dir.join("empty");
        fs::create_dir(&empty).unwrap();
        let foreign = dir.join("foreign");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("notes.txt"), "mine").unwrap();
        let odd_marker = dir.join("odd");
        fs::create_dir(&odd_marker).unwrap();
        fs::write(odd_marker.join(MARKER), "something else\n").unwrap();
        let sweep = dir.join("sweep");
        fs::create_dir(&sweep).unwrap();
        fs::write(sweep.join(MARKER), FolderKind::Sweep.marker()).unwrap();
        let file = dir.join("file");
        fs::write(&file, "").unwrap();
        assert!(check_replaceable(&dir.join("absent"), FolderKind::Run).is_ok());
        assert!(check_replaceable(&empty, FolderKind::Run).is_ok());
        assert!(check_replaceable(&sweep, FolderKind::Sweep).is_ok());
        assert!(matches!(
            check_replaceable(&foreign, FolderKind::Run),
            Err(FolderError::NotOurs { .. })
        ));
        assert!(matches!(
            check_replaceable(&odd_marker, FolderKind::Run),
            Err(FolderError::NotOurs { .. })
        ));
        let other = check_replaceable(&sweep, FolderKind::Run).unwrap_err();
        assert!(
            other
                .to_string()
                .contains("holds a regionsim sweep, not a run"),
            "{other}"
        );
        assert!(matches!(
            check_replaceable(&file, FolderKind::Run),
            Err(FolderError::NotAFolder { .. })
        ));
        fs::remove_dir_all(&dir).unwrap();
    }

    // A kill between commit's two renames leaves the target missing and the old folder aside:
    // it comes back, and leftover temporary folders of this target (not another's) go.
    #[test]
    fn an_interrupted_commit_is_undone() {
        let dir = scratch("interrupted");
        let target = dir.join("out");
        let aside = sibling(&target, "old", 4_000_001);
        fs::create_dir(&aside).unwrap();
        fs::write(aside.join("summary.json"), "old").unwrap();
        let leftover = sibling(&target, "tmp", 4_000_002);
        fs::create_dir(&leftover).unwrap();
        let others = sibling(&dir.join("out-2"), "tmp", 4_000_003);
        fs::create_dir(&others).unwrap();
        restore_interrupted(&target).unwrap();
        assert_eq!(
            fs::read_to_string(target.join("summary.json")).unwrap(),
            "old"
        );
        assert_eq!(names(&dir), [".out-2.tmp-4000003", "out"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    // Only `.<name>.tmp-<digits>` and `.<name>.old-<digits>` of this very name count.
    #[test]
    fn siblings_are_recognised_by_name() {
        let target = Path::new("results/seed-1");
        assert!(is_sibling(".seed-1.tmp-77".as_ref(), target, "tmp"));
        assert!(is_sibling(".seed-1.old-77".as_ref(), target, "old"));
        assert!(!is_sibling(".seed-1.tmp-".as_ref(), target, "tmp"));
        assert!(!is_sibling(".seed-1.tmp-7x".as_ref(), target, "tmp"));
        assert!(!is_sibling(".seed-10.tmp-7".as_ref(), target, "tmp"));
        assert!(!is_sibling("seed-1.tmp-7".as_ref(), target, "tmp"));
    }

    // An amended folder starts as the old one but the replaced entries; the old files stay
    // readable through the links after the old folder is gone.
    #[test]
    fn amend_keeps_everything_but_what_it_replaces() {
        let dir = scratch("amend");
        let target = dir.join("out");
        fs::create_dir_all(target.join("latency")).unwrap();
        fs::create_dir_all(target.join("charts")).unwrap();
        fs::write(target.join("summary.json"), "{}").unwrap();
        fs::write(target.join("latency/put.hgrm"), "put").unwrap();
        fs::write(target.join("charts/stale.svg"), "stale").unwrap();
        fs::write(target.join("report.html"), "old").unwrap();
        let staged =
            StagedFolder::amend(&target, FolderKind::Run, &["charts", "report.html"]).unwrap();
        assert_eq!(names(staged.path()), ["latency", "summary.json"]);
        fs::write(staged.path().join("report.html"), "new").unwrap();
        staged.commit().unwrap();
        assert_eq!(
            names(&target),
            [MARKER, "latency", "report.html", "summary.json"]
        );
        assert_eq!(
            fs::read_to_string(target.join("latency/put.hgrm")).unwrap(),
            "put"
        );
        assert_eq!(names(&dir), ["out"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    // An output folder that is, holds or lies inside an input is refused, naming both; a
    // sibling with a common prefix is apart.
    #[test]
    fn outputs_stay_apart_from_inputs() {
        let dir = scratch("apart");
        let shard = dir.join("shard-1");
        fs::create_dir(&shard).unwrap();
        let input = [Input {
            role: "the shard folder",
            path: &shard,
        }];
        let relation = |out: &Path| match check_apart("--out", out, &input) {
            Err(FolderError::NotApart { relation, .. }) => Some(relation),
            _ => None,
        };
        assert_eq!(relation(&shard), Some(Relation::Is));
        assert_eq!(
            relation(&dir.join("shard-1/../shard-1")),
            Some(Relation::Is)
        );
        assert_eq!(relation(&dir), Some(Relation::Holds));
        assert_eq!(relation(&shard.join("merged")), Some(Relation::IsInside));
        assert_eq!(relation(&dir.join("shard-10")), None);
        let message = check_apart("--out", &shard, &input)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(&format!(
                "--out {} is the shard folder {}",
                shard.display(),
                shard.display()
            )),
            "{message}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
