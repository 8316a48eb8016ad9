//! `regionsim wal dump FILE` and `regionsim wal split DIR`: WAL files on disk (exported by a
//! run, or written by hand) read and split with the model's reader and splitter.
//!
//! Both read with the reader rules of a release (`--profile`, 2.5 by default, and `--release`,
//! the line's newest by default: 2.5.0 to 2.5.3 read a key's protobuf errors as 1.4 does), so a
//! file copied from a real cluster is read as that HBase release would read it.
//!
//! `dump` prints what `WALPrettyPrinter` would (the header, each entry's sequence id, region,
//! table and write time, each cell) and then where and why HBase's reader stops; a file whose
//! entries do not end cleanly (at the trailer, or between entries) exits with 2 after printing
//! what could be read. `split` splits a directory as a dead server's WAL directory, by the same
//! rules as a simulated crash, and writes the recovered edits (and the files it sets aside as
//! corrupt, under `corrupt/` or `oldWALs/` as the profile's split coordination puts them) under
//! `--out`, whole (`StagedFolder`); a split that fails exits with 1 and the reason.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::format::count;
use super::{EXIT_RUN_FAILED, Failure};
use crate::model::hdfs::content::{Content, ValueBytes};
use crate::model::hdfs::sim_fs::{HdfsFile, SimFs, file_name};
use crate::model::wal::format::{DecodedCell, WalEntry, WalHeader};
use crate::model::wal::reader::{ReaderRules, WalContents, read_wal};
use crate::model::wal::split::{
    CORRUPT_DIR, Coordination, DATA_DIR, OLD_WALS_DIR, SplitOptions, WalFileFate, WalFileSplit,
};
use crate::report::staged_folder::{FolderKind, Input, StagedFolder, check_apart};
use crate::runner::wal_files::{export_sim_fs, split_directory};
use crate::scenario::known_bugs::{KnownBug, KnownBugs};
use crate::scenario::profile::{ProfileId, Release};

#[derive(Debug, Args)]
pub struct WalArgs {
    #[command(subcommand)]
    command: WalCommand,
}

#[derive(Debug, Subcommand)]
enum WalCommand {
    /// Print a WAL file's header and entries, and where and why it stops being readable.
    Dump(DumpArgs),
    /// Split a directory of WAL files into per-region recovered edits, as HBase's WALSplitter.
    Split(SplitArgs),
}

#[derive(Debug, Args)]
struct DumpArgs {
    /// The WAL file.
    file: PathBuf,
    #[command(flatten)]
    release: ReleaseArgs,
}

/// The HBase release whose reader (and splitter) a command follows.
#[derive(Debug, Args)]
struct ReleaseArgs {
    /// The HBase line: hbase-2.5 (its split goes through procedures: corrupt files go to
    /// oldWALs/) or hbase-1.4 (through ZooKeeper: corrupt files go to corrupt/).
    #[arg(long, default_value = "hbase-2.5", value_parser = parse_profile)]
    profile: ProfileId,
    /// The release of that line, e.g. 2.5.3 (default: the line's newest).
    #[arg(long, value_name = "VERSION")]
    release: Option<String>,
}

impl ReleaseArgs {
    fn release(&self) -> Result<Release, Failure> {
        match &self.release {
            Some(text) => Release::parse(self.profile, text)
                .map_err(|error| Failure::bad_input(format!("--release: {error}"))),
            None => Ok(Release::newest(self.profile)),
        }
    }
}

fn parse_profile(name: &str) -> Result<ProfileId, String> {
    ProfileId::from_name(name).ok_or_else(|| {
        format!(
            "unknown profile {name:?} (expected {})",
            ProfileId::NAMES.join(" or ")
        )
    })
}

#[derive(Debug, Args)]
struct SplitArgs {
    /// The dead server's WAL directory.
    dir: PathBuf,
    /// hbase.hlog.split.skip.errors=true: set files the reader fails on aside as corrupt and go
    /// on.
    #[arg(long)]
    skip_errors: bool,
    #[command(flatten)]
    release: ReleaseArgs,
    /// 2.5 with hbase.split.wal.zk.coordinated=true: corrupt files go to corrupt/.
    #[arg(long)]
    zk_coordinated: bool,
    /// Where recovered edits and corrupt files go (default: results/wal-split/<dir name>),
    /// written whole; one that exists must be empty or an earlier split's, which is replaced.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Switch a known HBase bug back on (HBASE-2643, HBASE-2958).
    #[arg(long = "bug", value_name = "JIRA")]
    bugs: Vec<String>,
}

pub fn wal(args: WalArgs) -> Result<(), Failure> {
    match args.command {
        WalCommand::Dump(args) => dump(&args),
        WalCommand::Split(args) => split(&args),
    }
}

fn dump(args: &DumpArgs) -> Result<(), Failure> {
    let path = args.file.display();
    let bytes = std::fs::read(&args.file)
        .map_err(|error| Failure::bad_input(format!("cannot read {path}: {error}")))?;
    let mut fs = SimFs::new();
    fs.write_content("wal", Content::from_bytes(bytes))
        .expect("a fresh filesystem takes a file");
    let file: &HdfsFile = fs.read("wal").expect("just written");
    let contents = read_wal(file, ReaderRules::for_release(args.release.release()?));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match write_dump(&mut out, &path.to_string(), file.len(), &contents).and_then(|()| out.flush())
    {
        // A reader that stops early (`| head`) is no error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(error) => {
            return Err(Failure {
                message: format!("cannot write to standard output: {error}"),
                code: EXIT_RUN_FAILED,
            });
        }
        Ok(()) => {}
    }
    if contents.stop.is_clean() {
        return Ok(());
    }
    Err(Failure::bad_input(format!(
        "{path}: {} ({} entries readable before it)",
        contents.stop,
        contents.entries.len()
    )))
}

/// The dump's lines: the file, its header, every entry and cell, where and why it stops.
fn write_dump(
    out: &mut impl Write,
    path: &str,
    length_bytes: u64,
    contents: &WalContents,
) -> std::io::Result<()> {
    writeln!(out, "file     {path} ({} bytes)", count(length_bytes))?;
    if let Some(header) = &contents.header {
        writeln!(out, "header   {}", describe_header(header))?;
    }
    let mut cells = 0;
    for entry in &contents.entries {
        write_entry(out, entry)?;
        cells += entry.cells.len() as u64;
    }
    writeln!(out, "stop     {}", contents.stop)?;
    writeln!(
        out,
        "summary  {} entries, {} cells",
        count(contents.entries.len() as u64),
        count(cells)
    )
}

fn describe_header(header: &WalHeader) -> String {
    let flag = |value: Option<bool>| match value {
        Some(true) => "on",
        Some(false) => "off",
        None => "absent",
    };
    let mut text = format!(
        "PWAL, writer {}, cell codec {}, compression {}, tag compression {}",
        header.writer_class_name.as_deref().unwrap_or("(absent)"),
        header
            .cell_codec_class_name
            .as_deref()
            .unwrap_or("(absent)"),
        flag(header.has_compression),
        flag(header.has_tag_compression)
    );
    if header.has_value_compression.is_some() {
        text += &format!(", value compression {}", flag(header.has_value_compression));
    }
    text
}

fn write_entry(out: &mut impl Write, entry: &WalEntry) -> std::io::Result<()> {
    let key = &entry.key;
    let mut line = format!(
        "entry    offset {}: sequence {}, region {}, table {}, written {} ms, {} cell(s)",
        entry.offset,
        key.sequence_id,
        binary(&key.encoded_region_name),
        binary(&key.table_name),
        key.write_time_ms,
        entry.cells.len()
    );
    if key.nonce_group != 0 || key.nonce != 0 {
        line += &format!(", nonce {}:{}", key.nonce_group, key.nonce);
    }
    for id in &key.cluster_ids {
        line += &format!(", cluster {id:032x}");
    }
    if key.orig_sequence_id != 0 {
        line += &format!(", originally sequence {}", key.orig_sequence_id);
    }
    if entry.unparseable_cells > 0 {
        line += &format!(
            ", {} KeyValue(s) whose lengths do not fit their bytes",
            entry.unparseable_cells
        );
    }
    writeln!(out, "{line}")?;
    for cell in &entry.cells {
        writeln!(out, "         {}", describe_cell(cell))?;
    }
    Ok(())
}

/// `row/family:qualifier/timestamp/type/vlen=…`, as HBase prints a KeyValue (and, for a value
/// regionsim generated, its seed).
fn describe_cell(cell: &DecodedCell) -> String {
    let type_name = match cell.type_code {
        0 => "Minimum",
        4 => "Put",
        8 => "Delete",
        10 => "DeleteFamilyVersion",
        12 => "DeleteColumn",
        14 => "DeleteFamily",
        255 => "Maximum",
        _ => "Unknown",
    };
    let mut text = format!(
        "{}/{}:{}/{}/{type_name}/vlen={}",
        binary(&cell.row),
        binary(&cell.family),
        binary(&cell.qualifier),
        cell.timestamp_ms as i64,
        cell.value.len()
    );
    if let ValueBytes::Generated { seed, .. } = cell.value {
        text += &format!("/seed={seed:016x}");
    }
    text
}

/// Bytes as `Bytes.toStringBinary` shows them: printable ASCII as is, the rest as `\xNN`.
fn binary(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&byte| {
            if (b' '..=b'~').contains(&byte) && byte != b'\\' {
                char::from(byte).to_string()
            } else {
                format!("\\x{byte:02X}")
            }
        })
        .collect()
}

fn split(args: &SplitArgs) -> Result<(), Failure> {
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(Failure::bad_input(format!(
            "{}: not a directory (give the dead server's WAL directory)",
            dir.display()
        )));
    }
    let known_bugs = KnownBugs::from_entries(args.bugs.iter().map(|name| (name.as_str(), true)))
        .map_err(|error| Failure::bad_input(format!("--bug: {error}")))?;
    if let Some(bug) = known_bugs.iter().find(|bug| !bug.acts_in_wal_split()) {
        let splitting: Vec<&str> = KnownBug::ALL
            .iter()
            .filter(|bug| bug.acts_in_wal_split())
            .map(|bug| bug.jira())
            .collect();
        return Err(Failure::bad_input(format!(
            "--bug {}: it does not act in a WAL split (these do: {})",
            bug.jira(),
            splitting.join(", ")
        )));
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let name = dir
            .canonicalize()
            .ok()
            .and_then(|dir| dir.file_name().map(|name| name.to_os_string()))
            .unwrap_or_else(|| "wals".into());
        Path::new("results").join("wal-split").join(name)
    });
    check_apart(
        "--out",
        &out,
        &[Input {
            role: "the WAL directory",
            path: dir,
        }],
    )?;
    let staged = StagedFolder::create(&out, FolderKind::WalSplit)?;
    let release = args.release.release()?;
    let mut options = SplitOptions::for_release(release, args.skip_errors, known_bugs);
    if args.zk_coordinated {
        if release.profile != ProfileId::Hbase25 {
            return Err(Failure::bad_input(
                "--zk-coordinated is 2.5's choice; 1.4 always splits through ZooKeeper".to_string(),
            ));
        }
        options.coordination = Coordination::ZooKeeper;
    }
    let split =
        split_directory(dir, &options).map_err(|error| Failure::bad_input(error.to_string()))?;
    let outcome = &split.outcome;
    if outcome.files.is_empty() {
        return Err(Failure::bad_input(format!(
            "{}: no files to split",
            dir.display()
        )));
    }
    println!(
        "split    {} ({} file(s), {}, hbase.hlog.split.skip.errors={}{})",
        dir.display(),
        outcome.files.len(),
        format_args!("{} {release}", release.profile),
        args.skip_errors,
        known_bugs
            .iter()
            .map(|bug| format!(", {bug} on"))
            .collect::<String>()
    );
    for file in &outcome.files {
        println!("{}", describe_file(file));
    }
    let by_region = outcome.entries_by_region();
    println!(
        "regions  {} region(s), {} entries in {} recovered-edits file(s)",
        by_region.len(),
        count(by_region.values().sum()),
        outcome.recovered_edits.len()
    );
    for (region, entries) in &by_region {
        let files = outcome
            .recovered_edits
            .iter()
            .filter(|file| &file.encoded_region_name == region)
            .count();
        println!(
            "         {}: {} entries in {files} file(s)",
            binary(region),
            count(*entries)
        );
    }
    let mut written = Vec::new();
    for exported in [DATA_DIR, CORRUPT_DIR, OLD_WALS_DIR] {
        written.extend(
            export_sim_fs(&split.fs, exported, &staged.path().join(exported))
                .map_err(|error| run_failed(error.to_string()))?,
        );
    }
    let staged_path = staged.path().to_path_buf();
    staged.commit()?;
    for path in &written {
        let shown = path
            .strip_prefix(&staged_path)
            .map_or_else(|_| path.clone(), |relative| out.join(relative));
        println!("wrote    {}", shown.display());
    }
    match &outcome.failure {
        None => Ok(()),
        Some(failure) => {
            let reasons: Vec<String> = failure
                .errors
                .iter()
                .map(|error| {
                    let name = file_name(&error.path);
                    let shown = dir.join(name);
                    error
                        .to_string()
                        .replacen(&error.path, &shown.display().to_string(), 1)
                })
                .collect();
            let next = if failure.give_up {
                "given up, not retried (HBASE-2958): the regions would open without these edits"
            } else if args.skip_errors {
                "the file(s) stay in place for a retry"
            } else {
                "the file(s) stay in place for a retry; --skip-errors sets them aside and goes on"
            };
            Err(run_failed(format!(
                "the split failed: {}; {next}",
                reasons.join("; ")
            )))
        }
    }
}

fn run_failed(message: String) -> Failure {
    Failure {
        message,
        code: EXIT_RUN_FAILED,
    }
}

fn describe_file(file: &WalFileSplit) -> String {
    let fate = match &file.fate {
        WalFileFate::Archived { .. } => "split, archived to oldWALs/".to_string(),
        WalFileFate::Corrupt { to } => format!("marked corrupt, moved to {to}"),
        WalFileFate::LeftInPlace => "failed, left in place".to_string(),
    };
    let skipped = file.skipped.flushed + file.skipped.region_gone + file.skipped.empty;
    let mut text = format!(
        "file     {}: {fate}; {} entries read, {} written, {}",
        file_name(&file.path),
        count(file.entries_read),
        count(file.entries_written.values().sum()),
        file.stop
    );
    if skipped > 0 {
        text += &format!(
            "; skipped {skipped} ({} flushed, {} of gone regions, {} with no cells)",
            file.skipped.flushed, file.skipped.region_gone, file.skipped.empty
        );
    }
    text
}
