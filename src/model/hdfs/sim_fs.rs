//! A simulated filesystem: the part of HDFS that WAL files, their archive and recovered edits
//! live in, as bytes in memory.
//!
//! Files are `Content`s (literal bytes with generated values spliced in) kept by path in a
//! `BTreeMap`, so every listing is sorted and every run is deterministic; nothing here touches the real filesystem (exporting to and importing
//! from a real directory is `runner::wal_files`). Paths are relative and `/`-separated
//! (`WALs/rs1,16020,1/rs1%2C16020%2C1.1700000000000`, `oldWALs/…`, `corrupt/…`,
//! `data/default/usertable/<region>/recovered.edits/0000000000000000042`).
//!
//! As in HDFS, a file is an inode that keeps its identity across renames: a writer holds a
//! `FileId` and appends through it even after the file was moved (HBase renames a dead
//! server's WAL directory to `-splitting` while, if the server is not quite dead, its writer
//! may still hold the file open). A deleted file's id is never handed out again, so a stale id
//! can never write into another file.
//!
//! Directories exist by path prefix only: a directory is there while some file is under it.
//! HDFS keeps empty directories; nothing HBase does here depends on one (the splitter lists a
//! WAL directory's files, and an empty `-splitting` directory is deleted after a split anyway).
//! Beside its bytes, each file keeps what HDFS keeps below them and a reader meets through
//! `DfsInputStream` (`hdfs::dfs_input`): its replication, the 512-byte checksum chunks whose
//! replicas rotted on disk (and how many replicas of each), and whether its blocks can be read
//! at all. Damage comes in three kinds, each recorded in the file's damage log, which the
//! durability oracle reads to name a loss's cause and no reader ever looks at:
//!
//! - **bytes changed before HDFS checksummed them** (`flip_byte`: a bit flipped in the writer's
//!   memory): every replica holds the bad byte under a valid checksum, and readers get it;
//! - **replicas rotted on disk** (`rot_replicas`): the chunk's checksum no longer matches in
//!   those replicas; HDFS reads around a bad replica while a good one is left;
//! - **blocks no datanode can serve** (`set_unreadable`).
//!
//! Left out: permissions, leases (a crash's torn write stands for what lease recovery leaves),
//! block boundaries (a WAL file is smaller than one HDFS block: it rolls at half of
//! `hbase.regionserver.hlog.blocksize`).

use std::collections::BTreeMap;
use std::fmt;

use crate::model::hdfs::content::Content;

/// `dfs.bytes-per-checksum`: HDFS checksums a block in chunks of this many bytes (CRC32C).
pub const BYTES_PER_CHECKSUM: u64 = 512;
/// `dfs.replication`'s default, which WAL files take (`hbase.regionserver.hlog.replication`
/// defaults to the filesystem's).
pub const DEFAULT_REPLICATION: u8 = 3;
/// The most replicas a file may have here.
pub const REPLICATION_MAX: u8 = 16;

/// Damage done to a file, for the oracle and the summary; readers never consult it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// The byte at `offset` changed before HDFS checksummed it (every replica has it).
    Unchecksummed { offset: u64 },
    /// `replicas` replicas of the chunk holding `offset` rotted on disk.
    RottedReplicas { offset: u64, replicas: u8 },
    /// No datanode could serve the file's blocks.
    Unreadable,
}

/// A file: its bytes and what HDFS keeps below them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HdfsFile {
    pub content: Content,
    replication: u8,
    /// Chunk index → how many of its replicas fail their checksum.
    bad_chunks: BTreeMap<u64, u8>,
    unreadable: bool,
    damage: Vec<Damage>,
}

impl HdfsFile {
    fn new(content: Content) -> HdfsFile {
        HdfsFile {
            content,
            replication: DEFAULT_REPLICATION,
            bad_chunks: BTreeMap::new(),
            unreadable: false,
            damage: Vec::new(),
        }
    }

    pub fn len(&self) -> u64 {
        self.content.len()
    }

    pub fn is_empty(&self) -> bool {
        self.content.is_empty()
    }

    pub fn replication(&self) -> u8 {
        self.replication
    }

    /// How many replicas of chunk `chunk` fail their checksum.
    pub fn bad_replicas(&self, chunk: u64) -> u8 {
        self.bad_chunks.get(&chunk).copied().unwrap_or(0)
    }

    /// The chunks with rotted replicas at or after chunk `from`, in order.
    pub fn bad_chunks_from(&self, from: u64) -> impl Iterator<Item = (u64, u8)> + '_ {
        self.bad_chunks
            .range(from..)
            .map(|(&chunk, &replicas)| (chunk, replicas))
    }

    pub fn is_unreadable(&self) -> bool {
        self.unreadable
    }

    /// What was done to the file (oracle's ground truth).
    pub fn damage(&self) -> &[Damage] {
        &self.damage
    }
}

/// A file's identity, stable across renames; never reused after deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(u64);

/// What a directory listing shows of one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Directory,
}

/// One name in a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The last path component.
    pub name: String,
    /// The full path.
    pub path: String,
    pub kind: EntryKind,
}

/// Why a filesystem operation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsError {
    NotFound {
        path: String,
    },
    AlreadyExists {
        path: String,
    },
    /// A file stands where a directory is needed (`a` when creating `a/b`).
    NotADirectory {
        path: String,
    },
    /// A directory stands where a file is needed.
    IsADirectory {
        path: String,
    },
    BadPath {
        path: String,
        reason: &'static str,
    },
    OutOfRange {
        path: String,
        offset: u64,
        length_bytes: u64,
    },
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::NotFound { path } => write!(f, "{path}: no such file or directory"),
            FsError::AlreadyExists { path } => write!(f, "{path}: already exists"),
            FsError::NotADirectory { path } => write!(f, "{path}: is a file, not a directory"),
            FsError::IsADirectory { path } => write!(f, "{path}: is a directory, not a file"),
            FsError::BadPath { path, reason } => write!(f, "bad path {path:?}: {reason}"),
            FsError::OutOfRange {
                path,
                offset,
                length_bytes,
            } => write!(
                f,
                "{path}: offset {offset} is past the end of the file ({length_bytes} bytes)"
            ),
        }
    }
}

impl std::error::Error for FsError {}

/// The simulated filesystem.
#[derive(Debug, Clone, Default)]
pub struct SimFs {
    paths: BTreeMap<String, FileId>,
    files: BTreeMap<FileId, HdfsFile>,
    next_id: u64,
}

/// Checks that a path is relative, `/`-separated, with no empty, `.` or `..` component.
pub fn check_path(path: &str) -> Result<(), FsError> {
    let bad = |reason| FsError::BadPath {
        path: path.to_string(),
        reason,
    };
    if path.is_empty() {
        return Err(bad("empty"));
    }
    if path.starts_with('/') {
        return Err(bad("paths are relative to the filesystem's root"));
    }
    if path
        .split('/')
        .any(|component| component.is_empty() || component == "." || component == "..")
    {
        return Err(bad("empty, \".\" or \"..\" component"));
    }
    Ok(())
}

/// The parent directory of a path ("" for the root).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |slash| &path[..slash])
}

/// The last component of a path.
pub fn file_name(path: &str) -> &str {
    path.rfind('/').map_or(path, |slash| &path[slash + 1..])
}

/// `dir/name`, or `name` under the root.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// `dir/` (the prefix of everything under `dir`), or "" for the root.
fn prefix_of(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

impl SimFs {
    pub fn new() -> SimFs {
        SimFs::default()
    }

    /// Creates an empty file. Refuses an existing name, and a path under a file.
    pub fn create(&mut self, path: &str) -> Result<FileId, FsError> {
        check_path(path)?;
        if self.paths.contains_key(path) {
            return Err(FsError::AlreadyExists {
                path: path.to_string(),
            });
        }
        if self.is_dir(path) {
            return Err(FsError::IsADirectory {
                path: path.to_string(),
            });
        }
        self.check_ancestors_are_directories(path)?;
        let id = FileId(self.next_id);
        self.next_id += 1;
        self.paths.insert(path.to_string(), id);
        self.files.insert(id, HdfsFile::new(Content::default()));
        Ok(id)
    }

    /// Creates a file holding `bytes`.
    pub fn write_file(&mut self, path: &str, bytes: &[u8]) -> Result<FileId, FsError> {
        self.write_content(path, Content::from_bytes(bytes.to_vec()))
    }

    /// Creates a file holding `content`.
    pub fn write_content(&mut self, path: &str, content: Content) -> Result<FileId, FsError> {
        let id = self.create(path)?;
        self.files.get_mut(&id).expect("just created").content = content;
        Ok(id)
    }

    fn check_ancestors_are_directories(&self, path: &str) -> Result<(), FsError> {
        let mut ancestor = parent(path);
        while !ancestor.is_empty() {
            if self.paths.contains_key(ancestor) {
                return Err(FsError::NotADirectory {
                    path: ancestor.to_string(),
                });
            }
            ancestor = parent(ancestor);
        }
        Ok(())
    }

    /// The file at `path`, if there is one.
    pub fn file(&self, path: &str) -> Option<FileId> {
        self.paths.get(path).copied()
    }

    /// Where a live file is now (it may have been renamed since it was created).
    pub fn path_of(&self, id: FileId) -> Option<String> {
        self.paths
            .iter()
            .find(|(_, file)| **file == id)
            .map(|(path, _)| path.clone())
    }

    /// Whether a file or a directory is at `path`.
    pub fn exists(&self, path: &str) -> bool {
        self.paths.contains_key(path) || self.is_dir(path)
    }

    /// Whether some file is under `path` (the root too, while anything is in it).
    pub fn is_dir(&self, path: &str) -> bool {
        let prefix = prefix_of(path);
        self.paths
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(name, _)| name.starts_with(&prefix))
    }

    /// The file at `path`.
    pub fn read(&self, path: &str) -> Result<&HdfsFile, FsError> {
        let id = self.file_or_error(path)?;
        Ok(self.hdfs_file(id))
    }

    fn file_or_error(&self, path: &str) -> Result<FileId, FsError> {
        self.file(path).ok_or_else(|| {
            if self.is_dir(path) {
                FsError::IsADirectory {
                    path: path.to_string(),
                }
            } else {
                FsError::NotFound {
                    path: path.to_string(),
                }
            }
        })
    }

    /// A live file. A deleted file's id is a programmer error.
    pub fn hdfs_file(&self, id: FileId) -> &HdfsFile {
        self.files.get(&id).expect("a live file id")
    }

    /// A live file's bytes.
    pub fn content(&self, id: FileId) -> &Content {
        &self.hdfs_file(id).content
    }

    /// A live file's bytes, for writers that encode straight into them.
    pub fn content_mut(&mut self, id: FileId) -> &mut Content {
        &mut self.files.get_mut(&id).expect("a live file id").content
    }

    /// Whether the id still names a file (it was not deleted).
    pub fn is_live(&self, id: FileId) -> bool {
        self.files.contains_key(&id)
    }

    /// Appends bytes to a live file.
    pub fn append(&mut self, id: FileId, bytes: &[u8]) {
        self.content_mut(id).push_literal(bytes);
    }

    /// The file's length in bytes.
    pub fn len(&self, path: &str) -> Result<u64, FsError> {
        Ok(self.read(path)?.len())
    }

    /// Memory the files' bytes hold.
    pub fn resident_bytes(&self) -> u64 {
        self.files
            .values()
            .map(|file| file.content.resident_bytes())
            .sum()
    }

    /// Whether the filesystem holds no file at all.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Cuts a file to its first `length_bytes` bytes: what a writer that died mid-write leaves
    /// (HDFS's visible length after lease recovery).
    pub fn truncate(&mut self, path: &str, length_bytes: u64) -> Result<(), FsError> {
        let file = self.file_mut_in_range(path, length_bytes, true)?;
        file.content.truncate(length_bytes);
        file.bad_chunks
            .split_off(&length_bytes.div_ceil(BYTES_PER_CHECKSUM));
        Ok(())
    }

    fn file_mut_in_range(
        &mut self,
        path: &str,
        offset: u64,
        end_allowed: bool,
    ) -> Result<&mut HdfsFile, FsError> {
        let id = self.file_or_error(path)?;
        let file = self.files.get_mut(&id).expect("a live file id");
        let length_bytes = file.len();
        if offset > length_bytes || (offset == length_bytes && !end_allowed) {
            return Err(FsError::OutOfRange {
                path: path.to_string(),
                offset,
                length_bytes,
            });
        }
        Ok(file)
    }

    /// Flips bits of one byte (XOR with a non-zero `mask`) before HDFS checksummed it: a bit
    /// flipped in the writer's memory, which every replica then holds under a valid checksum.
    pub fn flip_byte(&mut self, path: &str, offset: u64, mask: u8) -> Result<(), FsError> {
        assert_ne!(mask, 0, "a flip with an empty mask changes nothing");
        let file = self.file_mut_in_range(path, offset, false)?;
        file.content.flip(offset, mask);
        file.damage.push(Damage::Unchecksummed { offset });
        Ok(())
    }

    /// `replicas` more replicas of the chunk holding `offset` rot on disk (at most all of
    /// them): their checksums no longer match.
    pub fn rot_replicas(&mut self, path: &str, offset: u64, replicas: u8) -> Result<(), FsError> {
        assert!(replicas > 0, "rot of no replica changes nothing");
        let file = self.file_mut_in_range(path, offset, false)?;
        let replication = file.replication;
        let bad = file
            .bad_chunks
            .entry(offset / BYTES_PER_CHECKSUM)
            .or_insert(0);
        *bad = bad.saturating_add(replicas).min(replication);
        file.damage
            .push(Damage::RottedReplicas { offset, replicas });
        Ok(())
    }

    /// Makes a live file's blocks unreadable (no datanode can serve them), or readable again.
    pub fn set_unreadable(&mut self, id: FileId, unreadable: bool) {
        let file = self.files.get_mut(&id).expect("a live file id");
        if unreadable && !file.unreadable {
            file.damage.push(Damage::Unreadable);
        }
        file.unreadable = unreadable;
    }

    /// Sets how many replicas the file has (1 to `REPLICATION_MAX`).
    pub fn set_replication(&mut self, id: FileId, replication: u8) {
        assert!(
            (1..=REPLICATION_MAX).contains(&replication),
            "a replication of 1 to {REPLICATION_MAX}"
        );
        self.files.get_mut(&id).expect("a live file id").replication = replication;
    }

    /// Renames a file, or a directory with everything under it. The target must not exist.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), FsError> {
        check_path(from)?;
        check_path(to)?;
        if self.exists(to) {
            return Err(FsError::AlreadyExists {
                path: to.to_string(),
            });
        }
        self.check_ancestors_are_directories(to)?;
        if let Some(id) = self.paths.remove(from) {
            self.paths.insert(to.to_string(), id);
            return Ok(());
        }
        if to.starts_with(&prefix_of(from)) {
            return Err(FsError::BadPath {
                path: to.to_string(),
                reason: "a directory cannot be moved under itself",
            });
        }
        let moved = self.take_under(from);
        if moved.is_empty() {
            return Err(FsError::NotFound {
                path: from.to_string(),
            });
        }
        let from_prefix = prefix_of(from);
        let to_prefix = prefix_of(to);
        for (path, id) in moved {
            let rest = &path[from_prefix.len()..];
            self.paths.insert(format!("{to_prefix}{rest}"), id);
        }
        Ok(())
    }

    fn take_under(&mut self, dir: &str) -> Vec<(String, FileId)> {
        let prefix = prefix_of(dir);
        let names: Vec<String> = self
            .paths
            .range(prefix.clone()..)
            .take_while(|(name, _)| name.starts_with(&prefix))
            .map(|(name, _)| name.clone())
            .collect();
        names
            .into_iter()
            .map(|name| {
                let id = self.paths.remove(&name).expect("listed just now");
                (name, id)
            })
            .collect()
    }

    /// Deletes a file.
    pub fn delete_file(&mut self, path: &str) -> Result<(), FsError> {
        let id = self.file_or_error(path)?;
        self.paths.remove(path);
        self.files.remove(&id);
        Ok(())
    }

    /// Deletes a directory and everything under it; returns how many files went.
    pub fn delete_dir(&mut self, dir: &str) -> usize {
        let removed = self.take_under(dir);
        for (_, id) in &removed {
            self.files.remove(id);
        }
        removed.len()
    }

    /// The names directly under `dir`, sorted by name; subdirectories once each.
    pub fn list(&self, dir: &str) -> Vec<DirEntry> {
        let prefix = prefix_of(dir);
        let mut entries: BTreeMap<&str, EntryKind> = BTreeMap::new();
        for (path, _) in self
            .paths
            .range(prefix.clone()..)
            .take_while(|(path, _)| path.starts_with(&prefix))
        {
            let rest = &path[prefix.len()..];
            match rest.find('/') {
                Some(slash) => entries.insert(&rest[..slash], EntryKind::Directory),
                None => entries.insert(rest, EntryKind::File),
            };
        }
        entries
            .into_iter()
            .map(|(name, kind)| DirEntry {
                name: name.to_string(),
                path: join(dir, name),
                kind,
            })
            .collect()
    }

    /// The paths of the files directly under `dir`, sorted.
    pub fn list_files(&self, dir: &str) -> Vec<String> {
        self.list(dir)
            .into_iter()
            .filter(|entry| entry.kind == EntryKind::File)
            .map(|entry| entry.path)
            .collect()
    }

    /// Every file under `dir` at any depth, in path order.
    pub fn walk<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a HdfsFile)> + 'a {
        let prefix = prefix_of(dir);
        self.paths
            .range(prefix.clone()..)
            .take_while(move |(path, _)| path.starts_with(&prefix))
            .map(|(path, id)| (path.as_str(), self.hdfs_file(*id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Files live by path; directories appear by prefix and list sorted, once each.
    #[test]
    fn create_list_and_read() {
        let mut fs = SimFs::new();
        fs.write_file("WALs/rs1/wal.2", b"bb").unwrap();
        fs.write_file("WALs/rs1/wal.1", b"a").unwrap();
        fs.write_file("WALs/rs2/wal.1", b"").unwrap();
        fs.write_file("oldWALs/wal.0", b"zzz").unwrap();
        let names: Vec<_> = fs.list("").into_iter().map(|entry| entry.name).collect();
        assert_eq!(names, ["WALs", "oldWALs"]);
        assert_eq!(
            fs.list_files("WALs/rs1"),
            ["WALs/rs1/wal.1", "WALs/rs1/wal.2"]
        );
        assert_eq!(fs.list("WALs")[1].kind, EntryKind::Directory);
        assert_eq!(fs.read("WALs/rs1/wal.2").unwrap().content.to_bytes(), b"bb");
        assert!(fs.is_dir("WALs") && !fs.is_dir("WALs/rs1/wal.1") && !fs.is_dir("WAL"));
        assert_eq!(
            fs.create("WALs/rs1/wal.1"),
            Err(FsError::AlreadyExists {
                path: "WALs/rs1/wal.1".into()
            })
        );
        assert!(matches!(
            fs.create("WALs/rs1/wal.1/x"),
            Err(FsError::NotADirectory { .. })
        ));
        assert!(matches!(
            fs.create("WALs"),
            Err(FsError::IsADirectory { .. })
        ));
        assert!(matches!(fs.create("/abs"), Err(FsError::BadPath { .. })));
        assert!(matches!(fs.create("a//b"), Err(FsError::BadPath { .. })));
        assert!(matches!(fs.create("a/../b"), Err(FsError::BadPath { .. })));
    }

    // A writer's file id follows the file across a rename of its directory, and a deleted
    // file's id is not reused.
    #[test]
    fn ids_survive_renames() {
        let mut fs = SimFs::new();
        let id = fs.create("WALs/rs1/wal.1").unwrap();
        fs.rename("WALs/rs1", "WALs/rs1-splitting").unwrap();
        fs.append(id, b"late");
        assert_eq!(
            fs.read("WALs/rs1-splitting/wal.1")
                .unwrap()
                .content
                .to_bytes(),
            b"late"
        );
        assert!(!fs.exists("WALs/rs1"));
        fs.delete_file("WALs/rs1-splitting/wal.1").unwrap();
        assert!(!fs.is_live(id));
        let next = fs.create("WALs/rs1-splitting/wal.1").unwrap();
        assert_ne!(next, id);
        assert!(matches!(
            fs.rename("WALs", "WALs/inner"),
            Err(FsError::BadPath { .. })
        ));
        assert!(fs.exists("WALs/rs1-splitting/wal.1"));
    }

    // Truncation and byte flips change exactly the bytes asked for, and refuse offsets past
    // the end.
    #[test]
    fn truncate_and_flip() {
        let mut fs = SimFs::new();
        fs.write_file("f", &[1, 2, 3, 4]).unwrap();
        fs.flip_byte("f", 1, 0xFF).unwrap();
        fs.truncate("f", 3).unwrap();
        assert_eq!(fs.read("f").unwrap().content.to_bytes(), [1, 0xFD, 3]);
        assert_eq!(
            fs.read("f").unwrap().damage(),
            [Damage::Unchecksummed { offset: 1 }]
        );
        assert!(matches!(
            fs.truncate("f", 4),
            Err(FsError::OutOfRange { .. })
        ));
        assert!(matches!(
            fs.flip_byte("f", 3, 1),
            Err(FsError::OutOfRange { .. })
        ));
        assert_eq!(fs.delete_dir(""), 1);
        assert!(fs.is_empty());
    }
}
