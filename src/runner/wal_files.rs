//! WAL files between the simulated filesystem and real directories: exporting a `SimFs`
//! subtree (a run's WALs, recovered edits, corrupt files) to disk, importing a directory of
//! real files into a `SimFs`, and splitting a real WAL directory with the model's splitter.
//!
//! The model never touches the disk; this layer copies bytes in and out, so that `regionsim
//! wal dump` and `wal split` read exactly the bytes a run wrote (generated values expanded),
//! and a directory of such files — or of WAL files copied from a real HBase cluster — splits
//! by exactly the rules a simulated crash does. What HDFS keeps below the bytes (replicas,
//! chunk checksums) does not leave the simulated filesystem: an exported file is what a
//! reader would have been given.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::model::hdfs::sim_fs::{FsError, SimFs, check_path, join};
use crate::model::wal::split::{
    RegionsAtSplit, SplitOptions, SplitOutcome, WALS_DIR, split_log_dir,
};
use crate::report::files::write_atomic;

/// Why files could not be copied in or out.
#[derive(Debug, Error)]
pub enum WalFilesError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("{path}: a file name that is not UTF-8 (rename it)")]
    NotUtf8 { path: PathBuf },
    #[error("{path}: {source}")]
    Fs { path: PathBuf, source: FsError },
}

/// Writes every file under `dir` in the simulated filesystem to `to`, keeping the layout below
/// `dir` (files are written atomically). Returns the real paths written, in path order.
pub fn export_sim_fs(fs: &SimFs, dir: &str, to: &Path) -> Result<Vec<PathBuf>, WalFilesError> {
    let prefix_length = if dir.is_empty() { 0 } else { dir.len() + 1 };
    let mut written = Vec::new();
    for (path, file) in fs.walk(dir) {
        let target = path[prefix_length..]
            .split('/')
            .fold(to.to_path_buf(), |target, component| target.join(component));
        // Generated values are expanded to the bytes they stand for.
        write_atomic(&target, &file.content.to_bytes()).map_err(|source| WalFilesError::Write {
            path: target.clone(),
            source,
        })?;
        written.push(target);
    }
    Ok(written)
}

/// Copies every regular file under the real directory `from` (at any depth, in name order)
/// into the simulated filesystem under `at`. Returns how many files came in.
pub fn import_dir(from: &Path, fs: &mut SimFs, at: &str) -> Result<usize, WalFilesError> {
    let read_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WalFilesError::Read { path, source }
    };
    let mut names: Vec<PathBuf> = fs::read_dir(from)
        .map_err(read_error(from))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(read_error(from))?;
    names.sort();
    let mut imported = 0;
    for path in names {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(|| WalFilesError::NotUtf8 { path: path.clone() })?;
        let inner = join(at, name);
        let metadata = fs::metadata(&path).map_err(read_error(&path))?;
        if metadata.is_dir() {
            imported += import_dir(&path, fs, &inner)?;
        } else if metadata.is_file() {
            let bytes = fs::read(&path).map_err(read_error(&path))?;
            fs.write_file(&inner, &bytes)
                .map_err(|source| WalFilesError::Fs {
                    path: path.clone(),
                    source,
                })?;
            imported += 1;
        }
    }
    Ok(imported)
}

/// A real WAL directory split in a simulated filesystem.
#[derive(Debug)]
pub struct DirectorySplit {
    /// The filesystem after the split: recovered edits under `data/`, split WALs under
    /// `oldWALs/` and `corrupt/`, failed ones still under `wal_dir`.
    pub fs: SimFs,
    /// Where the directory's files were put: `WALs/<directory name>`.
    pub wal_dir: String,
    pub outcome: SplitOutcome,
}

/// Imports a real directory as a server's WAL directory and splits the files directly in it,
/// with no flushed sequence ids known (every edit is kept, as `WALSplitter.split` without a
/// sequence-id checker) and every region taken to exist.
pub fn split_directory(
    dir: &Path,
    options: &SplitOptions,
) -> Result<DirectorySplit, WalFilesError> {
    let server = dir
        .file_name()
        .and_then(|name| name.to_str())
        .filter(|name| check_path(name).is_ok() && !name.contains('/'))
        .unwrap_or("server");
    let wal_dir = join(WALS_DIR, server);
    let mut fs = SimFs::new();
    import_dir(dir, &mut fs, &wal_dir)?;
    let outcome = split_log_dir(&mut fs, &wal_dir, options, &RegionsAtSplit::new());
    Ok(DirectorySplit {
        fs,
        wal_dir,
        outcome,
    })
}
