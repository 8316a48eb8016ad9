//! `[[workloads]]`: who writes, how often, to which keys, with what values and durability.
//!
//! An open-loop workload sends at its rate whatever happens to the server (as a fleet of
//! independent clients does), so a stall shows up as queueing and latency rather than as a lower
//! send rate; a closed-loop one has N clients that each wait for an answer and think before the
//! next request.

use std::fmt;

use super::document::{Node, Table};
use super::error::{ErrorKind, ScenarioError, with_suggestion};
use super::suggest::did_you_mean;
use super::units::{format_rate, format_size};
use super::writer::{float, quote, quote_list};
use crate::sim::SimDuration;

/// Most keys a workload may address (rows are named with up to 19 digits).
pub const KEY_COUNT_MAX: u64 = 1_000_000_000_000_000_000;
/// Most cells one operation may write per family.
pub const COLUMNS_MAX: u64 = 1000;
/// Most closed-loop clients, all workloads together.
pub const CLIENTS_MAX: u64 = 1_000_000;
/// Most application threads serving one open-loop workload.
pub const THREADS_MAX: u64 = 1_000_000;
/// The application threads that serve an open-loop workload unless it says otherwise: a fleet of
/// writers large enough that a healthy server never makes them wait, small enough that an
/// overloaded one holds them all and the arrivals queue at the client (not as retries).
pub const THREADS_DEFAULT: u32 = 256;
/// Most cells one request may write (rows × columns × families): each is held in the model's
/// memory while the request is under way.
pub const CELLS_PER_REQUEST_MAX: u64 = 1_000_000;
/// The longest row-name prefix: KeyValue stores a row's length in two bytes, and HBase refuses
/// rows longer than Short.MAX_VALUE (32767) bytes; the prefix leaves room for 19 digits.
pub const PREFIX_BYTES_MAX: usize = 32_767 - 19;
/// Most rows in one batch request.
pub const BATCH_ROWS_MAX: u64 = 100_000;
/// The largest value one cell may hold (HBase's default hbase.client.keyvalue.maxsize is 10 MiB).
pub const VALUE_BYTES_MAX: u64 = 10 << 20;

/// An operation a client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpKind {
    Put,
    Delete,
    Increment,
    Append,
    CheckAndPut,
    /// `batch_rows` puts in one multi RPC (`Table.batch`).
    Batch,
    /// One row read whole: every column of the workload's families (`Table.get`).
    Get,
    /// `batch_rows` gets in one multi RPC (`Table.get(List<Get>)`).
    MultiGet,
    /// A scan from a drawn row over `scan.rows` rows, `scan.caching` rows an RPC.
    Scan,
    /// A put of a new row (YCSB's insert): the workload's next insert number, named as YCSB's
    /// hashed insert order names it.
    Insert,
    /// YCSB's read-modify-write: a get of a row, then a put of it; its latency spans both.
    ReadModifyWrite,
}

impl OpKind {
    pub const ALL: [OpKind; 11] = [
        OpKind::Put,
        OpKind::Delete,
        OpKind::Increment,
        OpKind::Append,
        OpKind::CheckAndPut,
        OpKind::Batch,
        OpKind::Get,
        OpKind::MultiGet,
        OpKind::Scan,
        OpKind::Insert,
        OpKind::ReadModifyWrite,
    ];
    const NAMES: [&'static str; 11] = [
        "put",
        "delete",
        "increment",
        "append",
        "check_and_put",
        "batch",
        "get",
        "multi_get",
        "scan",
        "insert",
        "read_modify_write",
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Whether it reads rows (a get, a multi-get, a scan) rather than writing them. A
    /// read-modify-write starts as a read.
    pub fn is_read(self) -> bool {
        matches!(
            self,
            OpKind::Get | OpKind::MultiGet | OpKind::Scan | OpKind::ReadModifyWrite
        )
    }

    /// The rows one operation of this kind touches in a workload sending `batch_rows`.
    pub fn rows(self, batch_rows: u32) -> u32 {
        match self {
            OpKind::Batch | OpKind::MultiGet => batch_rows,
            _ => 1,
        }
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// HBase's Durability enum, in its ordinal order (a batch takes the highest of its mutations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Durability {
    UseDefault,
    SkipWal,
    AsyncWal,
    SyncWal,
    FsyncWal,
}

impl Durability {
    const NAMES: [&'static str; 5] = [
        "USE_DEFAULT",
        "SKIP_WAL",
        "ASYNC_WAL",
        "SYNC_WAL",
        "FSYNC_WAL",
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn read(node: &Node<'_, '_>) -> Result<Durability, ScenarioError> {
        let name = node.choice(&Self::NAMES)?;
        let index = Self::NAMES.iter().position(|n| *n == name).unwrap_or(0);
        Ok([
            Durability::UseDefault,
            Durability::SkipWal,
            Durability::AsyncWal,
            Durability::SyncWal,
            Durability::FsyncWal,
        ][index])
    }
}

/// When requests are sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Arrival {
    /// At `rate` per second regardless of responses, each taken by one of the application's
    /// `threads` (`None`: unbounded callers, a thread per arrival). A thread runs its operation
    /// synchronously, retries included, as a caller of HBase's Table API does; an arrival that
    /// finds every thread busy waits at the client, and its latency counts from when it was due.
    Open {
        rate: f64,
        process: ArrivalProcess,
        threads: Option<u32>,
    },
    /// `clients` each send, wait for the answer, then think.
    Closed { clients: u32, think: SimDuration },
}

/// How the application writes through HBase's client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientApi {
    /// The Table API: each operation a synchronous call with its retries (2.5's `HTable.put`
    /// straight to the server, `HTable.batch` every row at once).
    Table,
    /// One BufferedMutator shared by the workload's application threads: `mutate` adds to the
    /// write buffer, and a thread that finds it over `hbase.client.write.buffer` sends it through
    /// AsyncProcess under the client's task limits.
    BufferedMutator,
}

impl ClientApi {
    const NAMES: [&'static str; 2] = ["table", "buffered_mutator"];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The spacing of open-loop arrivals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrivalProcess {
    /// Exponential gaps: many independent clients.
    Poisson,
    /// Equal gaps: a metronome.
    Uniform,
}

/// How keys are drawn, over `count` rows named `prefix` + a zero-padded index.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySpec {
    pub dist: KeyDist,
    pub count: u64,
    pub prefix: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum KeyDist {
    Uniform,
    /// YCSB's Zipfian (Gray et al.) with exponent `theta`; `scrambled` spreads the popular keys
    /// over the key space by hashing, as YCSB's default "zipfian" does.
    Zipfian {
        theta: f64,
        scrambled: bool,
    },
    /// 0, 1, 2, … wrapping at `count`: inserts in key order, all into the last region in turn.
    Sequential,
    /// YCSB's hotspot: `hot_op_fraction` of operations go to the first `hot_set_fraction` of keys.
    Hotspot {
        hot_set_fraction: f64,
        hot_op_fraction: f64,
    },
    /// YCSB's latest (SkewedLatestGenerator): the newest keys most often, the key `count +
    /// inserts − 1 − z` for a Zipfian z (exponent `theta`, unscrambled) over the keys so far,
    /// which grow with the workload's inserts.
    Latest {
        theta: f64,
    },
}

/// YCSB's core workloads (the YCSB repository's workloads/workloada … workloadf), as ready mixes:
/// their proportions and request distribution. An update is a put of the row, an insert a put of
/// a new row, a read a get of the whole row (readallfields), a scan YCSB's short scan of up to
/// `maxscanlength` 100 rows (uniform lengths).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ycsb {
    /// Update heavy: 50% reads, 50% updates, Zipfian.
    A,
    /// Read mostly: 95% reads, 5% updates, Zipfian.
    B,
    /// Read only: 100% reads, Zipfian.
    C,
    /// Read latest: 95% reads, 5% inserts, the newest rows most often.
    D,
    /// Short ranges: 95% scans, 5% inserts, Zipfian start rows.
    E,
    /// Read-modify-write: 50% reads, 50% read-modify-writes, Zipfian.
    F,
}

impl Ycsb {
    const NAMES: [&'static str; 6] = ["a", "b", "c", "d", "e", "f"];

    fn read(node: &Node<'_, '_>) -> Result<Ycsb, ScenarioError> {
        Ok(match node.choice(&Self::NAMES)? {
            "a" => Ycsb::A,
            "b" => Ycsb::B,
            "c" => Ycsb::C,
            "d" => Ycsb::D,
            "e" => Ycsb::E,
            _ => Ycsb::F,
        })
    }

    /// The workload's proportions (readproportion, updateproportion, insertproportion,
    /// scanproportion, readmodifywriteproportion).
    pub fn mix(self) -> Vec<(OpKind, f64)> {
        match self {
            Ycsb::A => vec![(OpKind::Put, 0.5), (OpKind::Get, 0.5)],
            Ycsb::B => vec![(OpKind::Put, 0.05), (OpKind::Get, 0.95)],
            Ycsb::C => vec![(OpKind::Get, 1.0)],
            Ycsb::D => vec![(OpKind::Get, 0.95), (OpKind::Insert, 0.05)],
            Ycsb::E => vec![(OpKind::Scan, 0.95), (OpKind::Insert, 0.05)],
            Ycsb::F => vec![(OpKind::Get, 0.5), (OpKind::ReadModifyWrite, 0.5)],
        }
    }

    /// Its requestdistribution: `latest` for D, `zipfian` for the others.
    fn request_distribution(self) -> &'static str {
        if self == Ycsb::D { "latest" } else { "zipfian" }
    }
}

/// Rows one scan reads at most (each RPC of it is held while it runs).
pub const SCAN_ROWS_MAX: u64 = 1_000_000;

/// How a workload's scans run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanSpec {
    /// Rows each scan reads, uniform over [min, max] (YCSB's default: 1 to maxscanlength 100).
    pub rows: (u32, u32),
    /// Rows an RPC returns at most (Scan.setCaching); `None`: `hbase.client.scanner.caching`.
    /// An RPC also stops at `hbase.client.scanner.max.result.size` of cells.
    pub caching: Option<u32>,
    /// Scan.setCacheBlocks: false reads data blocks without caching them.
    pub cache_blocks: bool,
}

impl Default for ScanSpec {
    fn default() -> Self {
        ScanSpec {
            rows: (1, 100),
            caching: None,
            cache_blocks: true,
        }
    }
}

impl ScanSpec {
    fn read(node: &Node<'_, '_>) -> Result<ScanSpec, ScenarioError> {
        let table = node.table()?;
        let mut spec = ScanSpec::default();
        let count = |node: &Node<'_, '_>, what: &str| -> Result<u32, ScenarioError> {
            let value = node.u64()?;
            if !(1..=SCAN_ROWS_MAX).contains(&value) {
                return Err(node.error(
                    ErrorKind::Impossible,
                    format!("{what} is 1 to {SCAN_ROWS_MAX} rows, found {value}"),
                ));
            }
            Ok(value as u32)
        };
        if let Some(rows) = table.get("rows") {
            spec.rows = if matches!(rows.raw(), toml::de::DeValue::Table(_)) {
                let range = rows.table()?;
                let min = count(
                    &range.require("min", "the fewest rows a scan reads")?,
                    "min",
                )?;
                let max = count(&range.require("max", "the most rows a scan reads")?, "max")?;
                range.finish("scan.rows")?;
                if min > max {
                    return Err(rows.error(
                        ErrorKind::Impossible,
                        format!("min ({min}) is above max ({max})"),
                    ));
                }
                (min, max)
            } else {
                let rows = count(&rows, "rows")?;
                (rows, rows)
            };
        }
        if let Some(caching) = table.get("caching") {
            spec.caching = Some(count(&caching, "caching")?);
        }
        if let Some(cache_blocks) = table.get("cache_blocks") {
            spec.cache_blocks = cache_blocks.bool()?;
        }
        table.finish("scan (rows, caching, cache_blocks)")?;
        Ok(spec)
    }

    fn write(&self) -> String {
        let (min, max) = self.rows;
        let mut fields = vec![format!("rows = {{ min = {min}, max = {max} }}")];
        if let Some(caching) = self.caching {
            fields.push(format!("caching = {caching}"));
        }
        fields.push(format!("cache_blocks = {}", self.cache_blocks));
        format!("scan = {{ {} }}\n", fields.join(", "))
    }
}

/// Value sizes in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeSpec {
    Constant {
        bytes: u64,
    },
    /// Uniform over [min, max].
    Uniform {
        min: u64,
        max: u64,
    },
}

/// One workload.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadSpec {
    pub name: String,
    pub table: String,
    pub start: SimDuration,
    /// No more requests after this (the run's end if absent).
    pub end: Option<SimDuration>,
    pub arrival: Arrival,
    /// Probability of each kind, in `OpKind::ALL` order, summing to 1.
    pub mix: Vec<(OpKind, f64)>,
    pub keys: KeySpec,
    pub value_size: SizeSpec,
    /// Cells written per family by one operation (qualifiers field0, field1, …).
    pub columns: u32,
    /// Families written (all of the table's if absent).
    pub families: Option<Vec<String>>,
    /// Rows per `batch` operation: `Table.batch` of that many puts (one multi RPC), or through a
    /// BufferedMutator one `mutate` of the list.
    pub batch_rows: u32,
    pub durability: Durability,
    /// The client API it writes through.
    pub client: ClientApi,
    /// How its scans run: `Some` exactly when the mix has scans.
    pub scan: Option<ScanSpec>,
}

impl WorkloadSpec {
    /// Whether any operation of its mix reads.
    pub fn reads(&self) -> bool {
        self.mix.iter().any(|(kind, _)| kind.is_read())
    }
}

impl WorkloadSpec {
    pub fn read(node: &Node<'_, '_>, index: usize) -> Result<WorkloadSpec, ScenarioError> {
        let table = node.table()?;
        let name = match table.get("name") {
            Some(node) => node.string()?,
            None => format!("workload-{index}"),
        };
        let table_name = table
            .require("table", "the name of a [[tables]] entry")?
            .string()?;
        let start = match table.get("start") {
            Some(node) => node.duration()?,
            None => SimDuration::ZERO,
        };
        let end = match table.get("end") {
            Some(node) => {
                let end = node.duration()?;
                if end <= start {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("end ({end}) must come after start ({start})"),
                    ));
                }
                Some(end)
            }
            None => None,
        };
        let arrival =
            read_arrival(&table.require("arrival", "{ kind = \"open\", rate = \"20k/s\" }")?)?;
        let ycsb = match table.get("ycsb") {
            Some(node) => Some(Ycsb::read(&node)?),
            None => None,
        };
        let mix = match (table.get("mix"), ycsb) {
            (Some(node), Some(_)) => {
                return Err(node.error(
                    ErrorKind::Impossible,
                    "ycsb names a YCSB core workload, which sets the mix: give one or the other",
                ));
            }
            (Some(node), None) => read_mix(&node)?,
            (None, Some(preset)) => preset.mix(),
            (None, None) => vec![(OpKind::Put, 1.0)],
        };
        let keys = read_keys(
            &table.require("keys", "{ dist = \"uniform\", count = 1000000 }")?,
            ycsb,
        )?;
        let scans = mix.iter().any(|(kind, _)| *kind == OpKind::Scan);
        let scan = match table.get("scan") {
            Some(node) if !scans => {
                return Err(node.error(
                    ErrorKind::Impossible,
                    "scan settings need scans in the mix (mix = { scan = … })",
                ));
            }
            Some(node) => Some(ScanSpec::read(&node)?),
            None => scans.then(ScanSpec::default),
        };
        let value_size = match table.get("value_size") {
            Some(node) => read_size(&node)?,
            None => SizeSpec::Constant { bytes: 1000 },
        };
        let columns = match table.get("columns") {
            Some(node) => {
                let columns = node.u64()?;
                if !(1..=COLUMNS_MAX).contains(&columns) {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("columns must be 1 to {COLUMNS_MAX}, found {columns}"),
                    ));
                }
                columns as u32
            }
            None => 1,
        };
        let families = match table.get("families") {
            Some(node) => {
                let items = node.array()?;
                if items.is_empty() {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        "families, if given, lists at least one",
                    ));
                }
                let mut families = items
                    .iter()
                    .map(Node::string)
                    .collect::<Result<Vec<_>, _>>()?;
                families.sort();
                families.dedup();
                Some(families)
            }
            None => None,
        };
        let durability = match table.get("durability") {
            Some(node) => Durability::read(&node)?,
            None => Durability::UseDefault,
        };
        let batch_rows = match table.get("batch_rows") {
            Some(node) => {
                let rows = node.u64()?;
                if !(1..=BATCH_ROWS_MAX).contains(&rows) {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("batch_rows must be 1 to {BATCH_ROWS_MAX}, found {rows}"),
                    ));
                }
                rows as u32
            }
            None => 100,
        };
        let client = match table.get("client") {
            Some(node) => {
                let api = match node.choice(&ClientApi::NAMES)? {
                    "table" => ClientApi::Table,
                    _ => ClientApi::BufferedMutator,
                };
                if api == ClientApi::BufferedMutator
                    && let Some((kind, _)) = mix.iter().find(|(kind, _)| kind.is_read())
                {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!(
                            "a BufferedMutator takes puts, deletes, increments and appends: {kind} is a Table call, so it cannot be in the mix of a client = \"buffered_mutator\" workload"
                        ),
                    ));
                }
                if api == ClientApi::BufferedMutator
                    && mix.iter().any(|(kind, _)| *kind == OpKind::CheckAndPut)
                {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        "a BufferedMutator takes puts, deletes, increments and appends: check_and_put is a Table call (checkAndMutate), so it cannot be in the mix of a client = \"buffered_mutator\" workload",
                    ));
                }
                api
            }
            None => ClientApi::Table,
        };
        table.finish("[[workloads]]")?;
        Ok(WorkloadSpec {
            name,
            table: table_name,
            start,
            end,
            arrival,
            mix,
            keys,
            value_size,
            columns,
            families,
            batch_rows,
            durability,
            client,
            scan,
        })
    }

    pub fn write(&self, out: &mut String) {
        out.push_str("[[workloads]]\n");
        out.push_str(&format!("name = {}\n", quote(&self.name)));
        out.push_str(&format!("table = {}\n", quote(&self.table)));
        out.push_str(&format!("start = \"{}\"\n", self.start));
        if let Some(end) = self.end {
            out.push_str(&format!("end = \"{end}\"\n"));
        }
        let arrival = match &self.arrival {
            Arrival::Open {
                rate,
                process,
                threads,
            } => format!(
                "{{ kind = \"open\", rate = {}, process = \"{}\", threads = {} }}",
                quote(&format_rate(*rate)),
                match process {
                    ArrivalProcess::Poisson => "poisson",
                    ArrivalProcess::Uniform => "uniform",
                },
                match threads {
                    Some(threads) => threads.to_string(),
                    None => quote("unbounded"),
                }
            ),
            Arrival::Closed { clients, think } => {
                format!("{{ kind = \"closed\", clients = {clients}, think = \"{think}\" }}")
            }
        };
        out.push_str(&format!("arrival = {arrival}\n"));
        let mix: Vec<String> = self
            .mix
            .iter()
            .map(|(kind, share)| format!("{kind} = {}", float(*share)))
            .collect();
        out.push_str(&format!("mix = {{ {} }}\n", mix.join(", ")));
        let keys = &self.keys;
        let dist = match &keys.dist {
            KeyDist::Uniform => "dist = \"uniform\"".to_string(),
            KeyDist::Zipfian { theta, scrambled } => format!(
                "dist = \"zipfian\", theta = {}, scrambled = {scrambled}",
                float(*theta)
            ),
            KeyDist::Sequential => "dist = \"sequential\"".to_string(),
            KeyDist::Latest { theta } => format!("dist = \"latest\", theta = {}", float(*theta)),
            KeyDist::Hotspot {
                hot_set_fraction,
                hot_op_fraction,
            } => format!(
                "dist = \"hotspot\", hot_set_fraction = {}, hot_op_fraction = {}",
                float(*hot_set_fraction),
                float(*hot_op_fraction)
            ),
        };
        out.push_str(&format!(
            "keys = {{ {dist}, count = {}, prefix = {} }}\n",
            keys.count,
            quote(&keys.prefix)
        ));
        let size = match self.value_size {
            SizeSpec::Constant { bytes } => {
                format!(
                    "{{ dist = \"constant\", bytes = {} }}",
                    quote(&format_size(bytes))
                )
            }
            SizeSpec::Uniform { min, max } => format!(
                "{{ dist = \"uniform\", min = {}, max = {} }}",
                quote(&format_size(min)),
                quote(&format_size(max))
            ),
        };
        out.push_str(&format!("value_size = {size}\n"));
        out.push_str(&format!("columns = {}\n", self.columns));
        if let Some(families) = &self.families {
            out.push_str(&format!("families = {}\n", quote_list(families)));
        }
        out.push_str(&format!("batch_rows = {}\n", self.batch_rows));
        if let Some(scan) = &self.scan {
            out.push_str(&scan.write());
        }
        out.push_str(&format!("client = {}\n", quote(self.client.name())));
        out.push_str(&format!(
            "durability = {}\n\n",
            quote(self.durability.name())
        ));
    }
}

fn read_arrival(node: &Node<'_, '_>) -> Result<Arrival, ScenarioError> {
    let table = node.table()?;
    let kind = table
        .require("kind", "\"open\" or \"closed\"")?
        .choice(&["open", "closed"])?;
    let arrival = if kind == "open" {
        let rate_node = table.require("rate", "requests per second, such as \"20k/s\"")?;
        let rate = rate_node.rate()?;
        if !(rate > 0.0 && rate <= 1e9) {
            return Err(rate_node.error(
                ErrorKind::Impossible,
                format!("an open-loop rate must be above 0 and at most 1G/s, found {rate}/s"),
            ));
        }
        let process = match table.get("process") {
            Some(node) => match node.choice(&["poisson", "uniform"])? {
                "poisson" => ArrivalProcess::Poisson,
                _ => ArrivalProcess::Uniform,
            },
            None => ArrivalProcess::Poisson,
        };
        let threads = match table.get("threads") {
            Some(node) if node.string().is_ok() => {
                node.choice(&["unbounded"])?;
                None
            }
            Some(node) => {
                let threads = node.u64()?;
                if !(1..=THREADS_MAX).contains(&threads) {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!(
                            "threads must be 1 to {THREADS_MAX} (or \"unbounded\"), found {threads}"
                        ),
                    ));
                }
                Some(threads as u32)
            }
            None => Some(THREADS_DEFAULT),
        };
        Arrival::Open {
            rate,
            process,
            threads,
        }
    } else {
        let clients_node = table.require("clients", "the number of clients")?;
        let clients = clients_node.u64()?;
        if !(1..=CLIENTS_MAX).contains(&clients) {
            return Err(clients_node.error(
                ErrorKind::Impossible,
                format!("clients must be 1 to {CLIENTS_MAX}, found {clients}"),
            ));
        }
        let think = match table.get("think") {
            Some(node) => node.duration()?,
            None => SimDuration::ZERO,
        };
        Arrival::Closed {
            clients: clients as u32,
            think,
        }
    };
    table.finish(&format!("an {kind}-loop arrival"))?;
    Ok(arrival)
}

fn read_mix(node: &Node<'_, '_>) -> Result<Vec<(OpKind, f64)>, ScenarioError> {
    let table = node.table()?;
    let mut mix = Vec::new();
    for kind in OpKind::ALL {
        let Some(share_node) = table.get(kind.name()) else {
            continue;
        };
        let share = share_node.f64()?;
        if !(0.0..=1.0).contains(&share) {
            return Err(share_node.error(
                ErrorKind::Impossible,
                format!("a share of the mix is a probability from 0 to 1, found {share}"),
            ));
        }
        if share > 0.0 {
            mix.push((kind, share));
        }
    }
    table.finish("the operation mix (put, delete, increment, append, check_and_put, batch, get, multi_get, scan, insert, read_modify_write)")?;
    let total: f64 = mix.iter().map(|(_, share)| share).sum();
    if (total - 1.0).abs() > 1e-9 {
        return Err(node.error(
            ErrorKind::Impossible,
            format!("the shares of the mix must add up to 1, found {total}"),
        ));
    }
    Ok(mix)
}

fn read_keys(node: &Node<'_, '_>, preset: Option<Ycsb>) -> Result<KeySpec, ScenarioError> {
    let table = node.table()?;
    // A YCSB workload names its request distribution; anything else says it.
    let dist_name = match preset {
        Some(preset) if table.get("dist").is_none() => preset.request_distribution(),
        _ => table
            .require("dist", "uniform, zipfian, sequential, hotspot or latest")?
            .choice(&["uniform", "zipfian", "sequential", "hotspot", "latest"])?,
    };
    let count_node = table.require("count", "how many distinct rows")?;
    let count = count_node.u64()?;
    if !(1..=KEY_COUNT_MAX).contains(&count) {
        return Err(count_node.error(
            ErrorKind::Impossible,
            format!("count must be 1 to {KEY_COUNT_MAX}, found {count}"),
        ));
    }
    let fraction = |key: &str, default: f64, table: &Table<'_, '_>| -> Result<f64, ScenarioError> {
        let Some(node) = table.get(key) else {
            return Ok(default);
        };
        let value = node.f64()?;
        if !(value > 0.0 && value <= 1.0) {
            return Err(node.error(
                ErrorKind::Impossible,
                format!("{key} is a fraction above 0 and at most 1, found {value}"),
            ));
        }
        Ok(value)
    };
    let theta = || -> Result<f64, ScenarioError> {
        match table.get("theta") {
            Some(node) => {
                let theta = node.f64()?;
                if !(theta > 0.0 && theta < 1.0) {
                    return Err(node.error(
                        ErrorKind::Impossible,
                        format!("theta must be between 0 and 1 (both excluded), found {theta}"),
                    ));
                }
                Ok(theta)
            }
            None => Ok(0.99),
        }
    };
    let dist = match dist_name {
        "uniform" => KeyDist::Uniform,
        "zipfian" => {
            let theta = theta()?;
            let scrambled = match table.get("scrambled") {
                Some(node) => node.bool()?,
                None => true,
            };
            KeyDist::Zipfian { theta, scrambled }
        }
        "sequential" => KeyDist::Sequential,
        "hotspot" => KeyDist::Hotspot {
            hot_set_fraction: fraction("hot_set_fraction", 0.2, &table)?,
            hot_op_fraction: fraction("hot_op_fraction", 0.8, &table)?,
        },
        _ => KeyDist::Latest { theta: theta()? },
    };
    let prefix = match table.get("prefix") {
        Some(node) => {
            let prefix = node.string()?;
            if prefix.len() > PREFIX_BYTES_MAX {
                return Err(node.error(
                    ErrorKind::Impossible,
                    format!(
                        "prefix must be at most {PREFIX_BYTES_MAX} bytes (a row is at most 32767), found {}",
                        prefix.len()
                    ),
                ));
            }
            prefix
        }
        None => "user".to_string(),
    };
    table.finish(&format!("a {dist_name} key distribution"))?;
    Ok(KeySpec {
        dist,
        count,
        prefix,
    })
}

fn read_size(node: &Node<'_, '_>) -> Result<SizeSpec, ScenarioError> {
    let table = node.table()?;
    let dist = table
        .require("dist", "\"constant\" or \"uniform\"")?
        .choice(&["constant", "uniform"])?;
    let size = |key: &str, what: &str| -> Result<u64, ScenarioError> {
        let node = table.require(key, what)?;
        let bytes = node.size()?;
        if bytes > VALUE_BYTES_MAX {
            return Err(node.error(
                ErrorKind::Impossible,
                format!(
                    "a value is at most 10MB (hbase.client.keyvalue.maxsize), found {bytes} bytes"
                ),
            ));
        }
        Ok(bytes)
    };
    let spec = if dist == "constant" {
        SizeSpec::Constant {
            bytes: size("bytes", "the value size")?,
        }
    } else {
        let min = size("min", "the smallest value size")?;
        let max = size("max", "the largest value size")?;
        if min > max {
            return Err(node.error(
                ErrorKind::Impossible,
                format!("min ({min}) is above max ({max})"),
            ));
        }
        SizeSpec::Uniform { min, max }
    };
    table.finish(&format!("a {dist} size distribution"))?;
    Ok(spec)
}

/// The closed-loop clients of all workloads together are at most `CLIENTS_MAX`.
pub fn check_clients(
    workloads: &[WorkloadSpec],
    nodes: &[Node<'_, '_>],
) -> Result<(), ScenarioError> {
    let mut clients = 0;
    for (workload, node) in workloads.iter().zip(nodes) {
        if let Arrival::Closed { clients: more, .. } = workload.arrival {
            clients += u64::from(more);
        }
        if clients > CLIENTS_MAX {
            return Err(node.error(
                ErrorKind::Impossible,
                format!(
                    "the workloads up to \"{}\" have {clients} closed-loop clients; at most {CLIENTS_MAX} in all",
                    workload.name
                ),
            ));
        }
    }
    Ok(())
}

/// Checks what needs the whole scenario: the table exists, the families belong to it, and one
/// request's cells are at most `CELLS_PER_REQUEST_MAX`.
pub fn check_against_tables(
    workload: &WorkloadSpec,
    node: &Node<'_, '_>,
    tables: &[super::table::TableSpec],
) -> Result<(), ScenarioError> {
    let workload_table = node.table()?;
    let Some(table) = tables.iter().find(|table| table.name == workload.table) else {
        let names: Vec<&str> = tables.iter().map(|table| table.name.as_str()).collect();
        let table_node = workload_table.require("table", "")?;
        return Err(table_node.error(
            ErrorKind::Impossible,
            with_suggestion(
                format!(
                    "no table named \"{}\" (tables: {})",
                    workload.table,
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
                did_you_mean(&workload.table, &names),
            ),
        ));
    };
    let families = workload.families.as_ref().unwrap_or(&table.families).len() as u64;
    let rows = workload
        .mix
        .iter()
        .map(|(kind, _)| u64::from(kind.rows(workload.batch_rows)))
        .max()
        .unwrap_or(1);
    let cells = rows * u64::from(workload.columns) * families;
    if cells > CELLS_PER_REQUEST_MAX {
        return Err(node.error(
            ErrorKind::Impossible,
            format!(
                "a request writes {rows} rows × {} columns × {families} families = {cells} cells, more than {CELLS_PER_REQUEST_MAX}: lower batch_rows or columns",
                workload.columns
            ),
        ));
    }
    if let Some(families) = &workload.families {
        for family in families {
            if !table.families.contains(family) {
                let known: Vec<&str> = table.families.iter().map(String::as_str).collect();
                let families_node = workload_table.require("families", "")?;
                return Err(families_node.error(
                    ErrorKind::Impossible,
                    with_suggestion(
                        format!("table \"{}\" has no column family \"{family}\"", table.name),
                        did_you_mean(family, &known),
                    ),
                ));
            }
        }
    }
    Ok(())
}
