//! Scenario files (TOML, version 1): what is simulated — the server, its HBase configuration,
//! tables, workloads, faults and actions — read with errors that name the file, line, key and
//! the expected form, and written back fully resolved so that a run can be reproduced exactly.
//!
//! Loading is one step from text to a checked `Scenario`: parse (`document`), read each section
//! (`io`, `table`, `workload`, `warm`, `action`, `fault`), layer the properties (profile defaults, an
//! hbase-site.xml, `[properties]`, `--set`; see `properties`), then check the relationships
//! between values that no single section can see (a workload's table exists, the memstore and
//! block cache leave 20% of the heap, …).

pub mod action;
pub mod bounds;
pub mod codec;
pub mod document;
pub mod error;
pub mod fault;
pub mod io;
pub mod jvm;
pub mod known_bugs;
pub mod not_modelled;
pub mod profile;
pub mod properties;

pub mod cpu;
pub mod site;
pub mod suggest;
pub mod table;
pub mod units;
pub mod warm;
pub mod workload;
pub mod writer;

use std::io::Read;
use std::path::{Path, PathBuf};

use self::action::{ActionKind, ActionSpec};
use self::bounds::{DURATION_MAX, ENTRIES_MAX, HEAP_MAX};
use self::cpu::CpuSpec;
use self::document::{Assignment, Document, Node};
use self::error::{ErrorKind, Origin, ScenarioError, with_suggestion};
use self::fault::FaultSpec;
use self::io::IoSpec;
use self::jvm::JvmSpec;
use self::known_bugs::{KnownBug, KnownBugs};
use self::profile::{ProfileId, Release};
use self::properties::{Properties, RawValue, Setting, Source};
use self::suggest::did_you_mean;
use self::table::TableSpec;
use self::units::format_size;
use self::warm::WarmSpec;
use self::workload::{ClientApi, WorkloadSpec};
use self::writer::quote;
use crate::sim::SimDuration;

/// The largest scenario file: a thousand times the largest bundled one, still cheap to read.
pub const SCENARIO_BYTES_MAX: u64 = 4 << 20;

/// HotSpot uses compressed oops for heaps below about 32 GB (its oop encoding reaches 32 GB
/// with 8-byte alignment), unless told otherwise.
pub const COMPRESSED_OOPS_HEAP_LIMIT: u64 = 32 << 30;

/// `[server] compressed_oops`: whether the JVM's references are 4 bytes, which sets HBase's heap
/// accounting (ClassSize reads the sizes from the JVM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompressedOops {
    /// HotSpot's default: on below 32 GB of heap.
    Auto,
    /// `-XX:+UseCompressedOops` (below 32 GB only; above it HotSpot turns them off).
    On,
    /// `-XX:-UseCompressedOops`.
    Off,
}

/// The wall clock at simulated time 0 unless `[server] clock_start` says otherwise:
/// 2024-01-01T00:00:00Z, a midnight, so that off-peak hours are easy to place.
pub const CLOCK_START_DEFAULT_MS: u64 = 1_704_067_200_000;

/// Most time-series samples a run may take (a bound on memory: about 200 bytes each).
pub const SAMPLES_MAX: u64 = 1_000_000;

/// The time series' interval when the scenario sets none: one second, or longer for runs so
/// long that one second would pass `SAMPLES_MAX`.
fn default_interval(duration: SimDuration) -> SimDuration {
    let second = SimDuration::from_secs(1);
    if duration.as_nanos() / second.as_nanos() <= SAMPLES_MAX {
        second
    } else {
        SimDuration::from_secs(
            duration
                .as_nanos()
                .div_ceil(SAMPLES_MAX * second.as_nanos()),
        )
    }
}

/// Name prefixes that make a `--set` path an HBase (or HDFS, ZooKeeper) property.
pub const PROPERTY_PREFIXES: &[&str] = &["hbase.", "zookeeper.", "dfs.", "hfile."];

/// `[server] restart`'s default: a process supervisor's restart and the RegionServer's start-up
/// up to reportForDuty. HBase has no such default; it is the deployment's.
pub const RESTART_DEFAULT: SimDuration = SimDuration::from_secs(30);
/// The longest `[server] restart`.
pub const RESTART_MAX: SimDuration = SimDuration::from_secs(24 * 3600);

/// A checked scenario, every default filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub duration: SimDuration,
    pub profile: ProfileId,
    /// The release of the profile's line that the run models (`release`; the line's newest
    /// by default).
    pub release: Release,
    pub heap_bytes: u64,
    /// `[server] restart`: how long after the process dies a new one has registered with the
    /// master (`None`: never, the server stays down).
    pub restart_after: Option<SimDuration>,
    /// `[server] compressed_oops`.
    pub compressed_oops: CompressedOops,
    /// The wall-clock time (UTC, ms since the epoch) at simulated time 0: the hour of day for
    /// off-peak hours, the modification times of store files for major compactions.
    pub clock_start_ms: u64,
    pub properties: Properties,
    pub io: IoSpec,
    pub tables: Vec<TableSpec>,
    pub workloads: Vec<WorkloadSpec>,
    pub actions: Vec<ActionSpec>,
    pub faults: Vec<FaultSpec>,
    /// Known HBase bugs switched back on (`[bugs]`).
    pub bugs: KnownBugs,
    /// The time series' interval (`[report] interval`).
    pub sample_interval: SimDuration,
    /// `[report] warmup`: the first part of the run, left out of latencies and throughput.
    pub warmup: SimDuration,
    /// `[warm]`: the state the run starts in (`None`: cold, empty).
    pub warm: Option<WarmSpec>,
    /// `[cpu]` and `[server] cores`: whether threads share the server's cores.
    pub cpu: CpuSpec,
    /// `[jvm]`: garbage collection.
    pub jvm: JvmSpec,
}

/// What the command line adds to a scenario file.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--seed`: replaces the file's seed.
    pub seed: Option<u64>,
    /// `--site`: an hbase-site.xml that replaces the file's `site`.
    pub site: Option<PathBuf>,
    /// `--set PATH=VALUE`, in order (later wins).
    pub assignments: Vec<Assignment>,
}

/// Reads and checks the scenario file at `path`.
pub fn load_file(path: &Path, options: &LoadOptions) -> Result<Scenario, ScenarioError> {
    let display = path.display().to_string();
    let text = read_text(path, "scenario", SCENARIO_BYTES_MAX)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_str(&display, &text, &base, options)
}

/// Reads and checks scenario `text`; `display_path` names it in errors and `base_dir` is where a
/// relative `site` path is looked up.
pub fn load_str(
    display_path: &str,
    text: &str,
    base_dir: &Path,
    options: &LoadOptions,
) -> Result<Scenario, ScenarioError> {
    let (property_assignments, path_assignments): (Vec<Assignment>, Vec<Assignment>) = options
        .assignments
        .iter()
        .cloned()
        .partition(|assignment| is_property_name(&assignment.path));
    let document = Document::parse(display_path, text, &path_assignments)?;
    let root = document.root();

    let name_node = root.require("name", "the scenario's name")?;
    let name = name_node.string()?;
    if name.is_empty()
        || name.len() > 100
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        || name.starts_with('.')
    {
        return Err(name_node.error(
            ErrorKind::InvalidValue,
            format!(
                "\"{name}\" cannot name a results folder: use letters, digits, _ . - (at most 100)"
            ),
        ));
    }
    let description = match root.get("description") {
        Some(node) => node.string()?,
        None => String::new(),
    };
    let seed = match (options.seed, root.get("seed")) {
        (Some(seed), _) => seed,
        (None, Some(node)) => node.u64()?,
        (None, None) => 1,
    };
    let duration_node = root.require("duration", "the simulated time, such as \"10m\"")?;
    let duration = duration_node.duration_at_most(DURATION_MAX)?;
    if duration.is_zero() {
        return Err(duration_node.error(ErrorKind::Impossible, "duration must be above 0"));
    }
    let profile = match root.get("profile") {
        Some(node) => {
            let name = node.choice(&ProfileId::NAMES)?;
            ProfileId::from_name(name).unwrap_or(ProfileId::Hbase25)
        }
        None => ProfileId::Hbase25,
    };
    let release = match root.get("release") {
        Some(node) => Release::parse(profile, &node.string()?)
            .map_err(|message| node.error(ErrorKind::InvalidValue, message))?,
        None => Release::newest(profile),
    };
    let site_in_file = match root.get("site") {
        Some(node) => Some((base_dir.join(node.string()?), node.origin())),
        None => None,
    };

    let server = root.section("server")?;
    let heap_bytes = match server.get("heap") {
        Some(node) => {
            let heap = node.size()?;
            if !(1 << 20..=HEAP_MAX).contains(&heap) {
                return Err(node.error(
                    ErrorKind::Impossible,
                    format!("heap must be 1MB to 1TB, found {}", format_size(heap)),
                ));
            }
            heap
        }
        None => 16 << 30,
    };
    let restart_after = match server.get("restart") {
        Some(node) if node.choice(&["never"]).is_ok() => None,
        Some(node) => {
            let restart = node
                .duration_at_most(RESTART_MAX)
                .map_err(|error| match error.kind {
                    ErrorKind::InvalidValue => node.error(
                        ErrorKind::InvalidValue,
                        "restart is a duration (\"30s\") or \"never\"",
                    ),
                    _ => error,
                })?;
            Some(restart)
        }
        None => Some(RESTART_DEFAULT),
    };
    let compressed_oops = match server.get("compressed_oops") {
        None => CompressedOops::Auto,
        Some(node) => match node.raw() {
            toml::de::DeValue::Boolean(true) => CompressedOops::On,
            toml::de::DeValue::Boolean(false) => CompressedOops::Off,
            toml::de::DeValue::String(text) if text.as_ref() == "auto" => CompressedOops::Auto,
            _ => {
                return Err(node.error(
                    ErrorKind::InvalidValue,
                    "compressed_oops is \"auto\" (on below 32GB of heap, as HotSpot chooses), true or false",
                ));
            }
        },
    };
    if compressed_oops == CompressedOops::On && heap_bytes >= COMPRESSED_OOPS_HEAP_LIMIT {
        let node = server.get("compressed_oops").expect("set to true");
        return Err(node.error(
            ErrorKind::Impossible,
            format!(
                "compressed oops need a heap below 32GB, found {}: HotSpot turns them off above it (use \"auto\" or false)",
                format_size(heap_bytes)
            ),
        ));
    }
    let clock_start_ms = match server.get("clock_start") {
        Some(node) => {
            let text = node.string()?;
            units::parse_utc_instant(&text)
                .map_err(|message| node.error(ErrorKind::InvalidValue, message))?
        }
        None => CLOCK_START_DEFAULT_MS,
    };
    let cores = match server.get("cores") {
        Some(node) => Some((node.u64()?, node.error(ErrorKind::Impossible, ""))),
        None => None,
    };
    server.finish("[server]")?;

    let mut settings = Vec::new();
    let site = options
        .site
        .clone()
        .map(|path| (path, None))
        .or(site_in_file.map(|(path, origin)| (path, Some(origin))));
    if let Some((path, origin)) = site {
        settings.extend(read_site(&path, origin)?);
    }
    let properties_table = root.section("properties")?;
    for (name, node) in properties_table.entries() {
        settings.push(Setting {
            value: raw_value(&node)?,
            source: Source::Scenario(node.origin()),
            name,
        });
    }
    for assignment in &property_assignments {
        settings.push(Setting {
            name: assignment.path.clone(),
            value: assignment_raw_value(&assignment.value),
            source: Source::Argument(assignment.origin()),
        });
    }
    let properties = Properties::resolve(release, &settings, heap_bytes)?;

    let io = IoSpec::read(&root.section("io")?)?;
    let jvm = JvmSpec::read(&root.section("jvm")?, heap_bytes, profile)?;
    let report = root.section("report")?;
    let sample_interval = match report.get("interval") {
        Some(node) => {
            let interval = node.duration_at_most(DURATION_MAX)?;
            let samples = if interval.is_zero() {
                u64::MAX
            } else {
                duration.as_nanos() / interval.as_nanos()
            };
            if samples > SAMPLES_MAX {
                let least = SimDuration::from_nanos(duration.as_nanos().div_ceil(SAMPLES_MAX));
                return Err(node.error(
                    ErrorKind::Impossible,
                    format!(
                        "an interval of {interval} gives {samples} samples over {duration}; use at least {}",
                        least.approx()
                    ),
                ));
            }
            interval
        }
        None => default_interval(duration),
    };
    let warmup = match report.get("warmup") {
        Some(node) => {
            let warmup = node.duration_at_most(DURATION_MAX)?;
            if warmup >= duration {
                return Err(node.error(
                    ErrorKind::Impossible,
                    format!("a warm-up of {warmup} leaves nothing of a {duration} run to measure: make it shorter than the run"),
                ));
            }
            warmup
        }
        None => SimDuration::ZERO,
    };
    report.finish("[report]")?;
    let (tables, table_nodes) =
        read_array(&root, "tables", |node, _| TableSpec::read(node, profile))?;
    if tables.is_empty() {
        return Err(ScenarioError::new(
            ErrorKind::MissingKey,
            "a scenario needs at least one [[tables]] entry",
        )
        .at(Some(Origin::File {
            path: display_path.to_string(),
            line: 1,
            column: 1,
        })));
    }
    for (index, table) in tables.iter().enumerate() {
        if tables[..index].iter().any(|other| other.name == table.name) {
            return Err(table_nodes[index].error(
                ErrorKind::Impossible,
                format!("table \"{}\" is defined twice", table.name),
            ));
        }
    }
    table::check_server_holds(&tables, &table_nodes)?;
    let codecs: Vec<_> = tables.iter().map(|table| table.codec).collect();
    let cpu = CpuSpec::read(&root.section("cpu")?, cores, &codecs)?;
    let (workloads, workload_nodes) = read_array(&root, "workloads", WorkloadSpec::read)?;
    for (workload, node) in workloads.iter().zip(&workload_nodes) {
        workload::check_against_tables(workload, node, &tables)?;
    }
    workload::check_clients(&workloads, &workload_nodes)?;
    check_row_layouts(&workloads, &workload_nodes)?;
    let warm_table = root.section("warm")?;
    let warm_present = root.get("warm").is_some() || warm_table.has_assignments();
    let warm = WarmSpec::read(&warm_table, warm_present)?;
    if let Some(warm) = &warm {
        warm.check_work(&tables, &workloads, &warm_table)?;
    }
    warm::check_preloads(&tables, &workloads, warm.as_ref(), &table_nodes)?;
    let (actions, action_nodes) = read_array(&root, "actions", |node, _| ActionSpec::read(node))?;
    for (index, (action, node)) in actions.iter().zip(&action_nodes).enumerate() {
        // A split or merge before this action changes the table's regions; their indexes are
        // then checked when the action runs.
        let topology_changes_first = actions.iter().enumerate().any(|(other, earlier)| {
            other != index
                && earlier.table == action.table
                && (earlier.at, other) < (action.at, index)
                && matches!(
                    earlier.kind,
                    ActionKind::Split { .. } | ActionKind::Merge { .. }
                )
        });
        check_action(action, node, &tables, duration, !topology_changes_first)?;
    }
    let (faults, _) = read_array(&root, "faults", |node, _| FaultSpec::read(node, duration))?;
    let bugs = read_bugs(&root, &properties)?;
    root.finish("the scenario's top level")?;
    document.check_assignments_used()?;

    let scenario = Scenario {
        name,
        description,
        seed,
        duration,
        profile,
        release,
        heap_bytes,
        restart_after,
        compressed_oops,
        clock_start_ms,
        properties,
        io,
        tables,
        workloads,
        actions,
        faults,
        bugs,
        sample_interval,
        warmup,
        warm,
        cpu,
        jvm,
    };
    check_properties(&scenario)?;
    Ok(scenario)
}

/// `[bugs]`: `"HBASE-2643" = true` switches a known bug on; `false` leaves it off. A bug may
/// also be switched with `--set bugs.HBASE-2643=true`. A bug that cannot act with the
/// properties in force is refused rather than left to do nothing.
fn read_bugs(
    root: &document::Table<'_, '_>,
    properties: &Properties,
) -> Result<KnownBugs, ScenarioError> {
    let table = root.section("bugs")?;
    let mut names: Vec<String> = table.entries().into_iter().map(|(name, _)| name).collect();
    for bug in KnownBug::ALL {
        if !names.iter().any(|name| name == bug.jira()) {
            names.push(bug.jira().to_string());
        }
    }
    let mut bugs = KnownBugs::NONE;
    for name in names {
        let Some(value) = table.get(&name) else {
            continue;
        };
        let on = value.bool()?;
        let named = KnownBugs::from_entries([(name.as_str(), on)])
            .map_err(|unknown| value.error(ErrorKind::UnknownKey, unknown.to_string()))?;
        for bug in named.iter() {
            if bug == KnownBug::Hbase11868 && properties.text("hbase.wal.provider") != "filesystem"
            {
                return Err(value.error(
                    ErrorKind::Impossible,
                    format!(
                        "{} lived in FSHLog, and hbase.wal.provider is {}: set it to filesystem (1.4's default) for the bug to act",
                        bug.jira(),
                        properties.text("hbase.wal.provider")
                    ),
                ));
            }
            bugs = bugs.with(bug);
        }
    }
    table.finish("[bugs]")?;
    Ok(bugs)
}

/// Whether a `--set` path names a property rather than a key of the scenario.
pub fn is_property_name(path: &str) -> bool {
    PROPERTY_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// Reads `[[key]]` into specs, keeping each entry's node for later cross-checks.
fn read_array<'d, 'a, T>(
    root: &document::Table<'d, 'a>,
    key: &str,
    read: impl Fn(&Node<'d, 'a>, usize) -> Result<T, ScenarioError>,
) -> Result<(Vec<T>, Vec<Node<'d, 'a>>), ScenarioError> {
    let Some(node) = root.get(key) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let nodes = node.array()?;
    if nodes.len() > ENTRIES_MAX {
        return Err(node.error(
            ErrorKind::Impossible,
            format!(
                "a scenario lists at most {ENTRIES_MAX} [[{key}]] entries, found {}",
                nodes.len()
            ),
        ));
    }
    let specs = nodes
        .iter()
        .enumerate()
        .map(|(index, node)| read(node, index))
        .collect::<Result<Vec<T>, _>>()?;
    Ok((specs, nodes))
}

/// Rows are named prefix + a zero-padded index whose width comes from the key count; the
/// workloads of one table must agree on both so that all of its rows have one layout (and index
/// order stays byte order).
fn check_row_layouts(
    workloads: &[WorkloadSpec],
    nodes: &[Node<'_, '_>],
) -> Result<(), ScenarioError> {
    for (index, workload) in workloads.iter().enumerate() {
        let width = |w: &WorkloadSpec| w.keys.count.saturating_sub(1).max(1).ilog10();
        if let Some(first) = workloads[..index]
            .iter()
            .find(|other| other.table == workload.table)
            && (first.keys.prefix != workload.keys.prefix || width(first) != width(workload))
        {
            return Err(nodes[index].error(
                ErrorKind::Impossible,
                format!(
                    "workloads \"{}\" and \"{}\" write table \"{}\" with different row names: give them the same keys.prefix and key counts of the same number of digits",
                    first.name, workload.name, workload.table
                ),
            ));
        }
    }
    Ok(())
}

fn raw_value(node: &Node<'_, '_>) -> Result<RawValue, ScenarioError> {
    use toml::de::DeValue;
    Ok(match node.raw() {
        DeValue::String(text) => RawValue::Text(text.to_string()),
        DeValue::Integer(_) => RawValue::Int(node.integer()?),
        DeValue::Float(_) => RawValue::Float(node.f64()?),
        DeValue::Boolean(flag) => RawValue::Bool(*flag),
        _ => {
            return Err(node.error(
                ErrorKind::InvalidValue,
                "a property value is a string, a number or true/false",
            ));
        }
    })
}

/// A `--set` property value: a number or flag if it reads as one, else text (with units).
fn assignment_raw_value(text: &str) -> RawValue {
    let trimmed = text.trim().trim_matches('"');
    if let Ok(integer) = trimmed.parse::<i128>() {
        return RawValue::Int(integer);
    }
    if trimmed.contains('.')
        && let Ok(float) = trimmed.parse::<f64>()
        && float.is_finite()
    {
        return RawValue::Float(float);
    }
    RawValue::Text(trimmed.to_string())
}

/// Reads the text of a `what` file, refusing one larger than `max_bytes` without reading past
/// the limit (a huge file, or one that never ends such as /dev/zero).
fn read_text(path: &Path, what: &str, max_bytes: u64) -> Result<String, ScenarioError> {
    let display = path.display();
    let cannot = |reason: String| {
        ScenarioError::new(
            ErrorKind::Io,
            format!("cannot read {what} file {display}: {reason}"),
        )
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(max_bytes + 1).read_to_end(&mut bytes))
        .map_err(|error| cannot(error.to_string().to_lowercase()))?;
    if bytes.len() as u64 > max_bytes {
        return Err(cannot(format!(
            "it is larger than {}, the most a {what} file may hold",
            format_size(max_bytes)
        )));
    }
    String::from_utf8(bytes).map_err(|_| cannot("it is not utf-8 text".to_string()))
}

fn read_site(path: &Path, origin: Option<Origin>) -> Result<Vec<Setting>, ScenarioError> {
    let display = path.display().to_string();
    let text =
        read_text(path, "site", site::SITE_BYTES_MAX).map_err(|error| error.at(origin.clone()))?;
    let properties = site::parse_site_xml(&text, &display)
        .map_err(|error| ScenarioError::new(ErrorKind::Syntax, error.to_string()))?;
    Ok(properties
        .into_iter()
        .map(|property| Setting {
            source: Source::Site(Origin::File {
                path: display.clone(),
                line: property.line,
                column: property.column,
            }),
            value: RawValue::Text(property.value),
            name: property.name,
        })
        .collect())
}

fn check_action(
    action: &ActionSpec,
    node: &Node<'_, '_>,
    tables: &[TableSpec],
    duration: SimDuration,
    check_region: bool,
) -> Result<(), ScenarioError> {
    let Some(table) = tables.iter().find(|table| table.name == action.table) else {
        let names: Vec<&str> = tables.iter().map(|table| table.name.as_str()).collect();
        return Err(node.error(
            ErrorKind::Impossible,
            with_suggestion(
                format!("no table named \"{}\"", action.table),
                did_you_mean(&action.table, &names),
            ),
        ));
    };
    let last_region = match action.kind {
        // A merge takes `region` and the one after it.
        ActionKind::Merge { .. } => table.regions.saturating_sub(1),
        _ => table.regions,
    };
    if check_region
        && let Some(region) = action.region
        && region >= last_region
    {
        return Err(node.error(
            ErrorKind::Impossible,
            format!(
                "table \"{}\" has regions 0 to {} for a {}, found region {region}",
                table.name,
                last_region.saturating_sub(1),
                action.kind.name()
            ),
        ));
    }
    if action.at >= duration {
        return Err(node.error(
            ErrorKind::Impossible,
            format!(
                "the action at {} comes after the run ends ({duration})",
                action.at
            ),
        ));
    }
    Ok(())
}

/// Relationships between properties that HBase itself checks at startup, or that would make the
/// model meaningless.
/// The settings of HBase's BufferedMutator and AsyncProcess's task limits.
const MUTATOR_PROPERTIES: [&str; 9] = [
    "hbase.client.write.buffer",
    "hbase.client.max.total.tasks",
    "hbase.client.max.perserver.tasks",
    "hbase.client.max.perregion.tasks",
    "hbase.client.max.perrequest.heapsize",
    "hbase.client.max.submit.heapsize",
    "hbase.client.max.perrequest.rows",
    "hbase.client.write.buffer.periodicflush.timeout.ms",
    "hbase.client.write.buffer.periodicflush.timertick.ms",
];

fn check_properties(scenario: &Scenario) -> Result<(), ScenarioError> {
    let properties = &scenario.properties;
    let error = |name: &str, kind: ErrorKind, message: String| {
        ScenarioError::new(kind, message)
            .at(properties.origin(name))
            .key(name.to_string())
    };
    if let Some(bytes) = properties.int_opt_if_exists(profile::GLOBAL_MEMSTORE_MEMORY_SIZE)
        && bytes as f32 / scenario.heap_bytes as f32 > profile::MEMSTORE_HEAP_FRACTION_MAX
    {
        let fraction = properties.float("hbase.regionserver.global.memstore.size");
        return Err(error(
            profile::GLOBAL_MEMSTORE_MEMORY_SIZE,
            ErrorKind::Impossible,
            format!(
                "{} is {:.1}% of the heap ({}); HBase uses it only up to 80% and otherwise ignores it for hbase.regionserver.global.memstore.size ({fraction}): set at most {}, or remove it",
                format_size(bytes as u64),
                bytes as f64 / scenario.heap_bytes as f64 * 100.0,
                format_size(scenario.heap_bytes),
                units::format_size_approx(scenario.heap_bytes as f64 * 0.8),
            ),
        ));
    }
    if properties
        .int_opt_if_exists("hbase.regionserver.periodicmemstoreflusher.rangeofdelayseconds")
        == Some(0)
    {
        return Err(error(
            "hbase.regionserver.periodicmemstoreflusher.rangeofdelayseconds",
            ErrorKind::Impossible,
            "0 makes HBase's PeriodicMemStoreFlusher throw on every run (its random delay needs a positive bound), so no periodic flush would ever be requested: use at least 1, or set hbase.regionserver.optionalcacheflushinterval to 0 to switch periodic flushes off".to_string(),
        ));
    }
    let memstore_fraction = properties.global_memstore_fraction();
    let cache_fraction = properties.float("hfile.block.cache.size") as f32;
    // HeapMemorySizeUtil.checkForClusterFreeMemoryLimit / MemorySizeUtil.validate…: integer
    // percentages, at least 20% of the heap left free.
    let used_percent = (memstore_fraction * 100.0) as i64 + (cache_fraction * 100.0) as i64;
    if used_percent > 80 {
        return Err(error(
            "hbase.regionserver.global.memstore.size",
            ErrorKind::Impossible,
            format!(
                "memstore ({memstore_fraction}) plus block cache ({cache_fraction}, hfile.block.cache.size) take {used_percent}% of the heap; HBase refuses to start above 80%"
            ),
        ));
    }
    // LruBlockCache's constructor: the three shares total 1, and the min factor is at most the
    // acceptable one (IllegalArgumentException otherwise).
    let share = |name: &str| properties.float(name) as f32;
    let shares = share("hbase.lru.blockcache.single.percentage")
        + share("hbase.lru.blockcache.multi.percentage")
        + share("hbase.lru.blockcache.memory.percentage");
    if (shares - 1.0).abs() > 1e-6 {
        return Err(error(
            "hbase.lru.blockcache.single.percentage",
            ErrorKind::Impossible,
            format!(
                "the block cache's single, multi and memory percentages total {shares}; LruBlockCache refuses to start unless they total 1.0"
            ),
        ));
    }
    if share("hbase.lru.blockcache.min.factor") > share("hbase.lru.blockcache.acceptable.factor") {
        return Err(error(
            "hbase.lru.blockcache.min.factor",
            ErrorKind::Impossible,
            "the block cache's min factor is above its acceptable factor; LruBlockCache refuses to start (it evicts from the acceptable size down to the min size)".to_string(),
        ));
    }
    if let Some(old_lower) = properties.float_opt("hbase.regionserver.global.memstore.lowerLimit")
        && old_lower as f32 > memstore_fraction
    {
        return Err(error(
            "hbase.regionserver.global.memstore.lowerLimit",
            ErrorKind::Impossible,
            format!(
                "the lower limit ({old_lower} of the heap) is above the upper limit ({memstore_fraction}); HBase would cap it at the upper limit"
            ),
        ));
    }
    let global_limit = (scenario.heap_bytes as f32 * memstore_fraction) as u64;
    let flush_size = properties.bytes("hbase.hregion.memstore.flush.size");
    if flush_size > global_limit {
        return Err(error(
            "hbase.hregion.memstore.flush.size",
            ErrorKind::Impossible,
            format!(
                "flush size {} is above the global memstore limit {} (heap {} × {memstore_fraction}): regions would never flush by size",
                format_size(flush_size),
                units::format_size_approx(global_limit as f64),
                format_size(scenario.heap_bytes)
            ),
        ));
    }
    for table in &scenario.tables {
        if let Some(size) = table.memstore_flushsize
            && size > global_limit
        {
            return Err(ScenarioError::new(
                ErrorKind::Impossible,
                format!(
                    "table \"{}\": memstore_flushsize {} is above the global memstore limit {}",
                    table.name,
                    format_size(size),
                    units::format_size_approx(global_limit as f64)
                ),
            ));
        }
    }
    if properties.text("hbase.ipc.server.callqueue.type") == "pluggable" {
        let message = match scenario.profile {
            ProfileId::Hbase25 => {
                "a pluggable call queue is a class of your own (hbase.ipc.server.callqueue.pluggable.queue.class.name), which regionsim cannot run; use fifo, deadline or codel"
            }
            ProfileId::Hbase14 => {
                "pluggable is not a call queue type of HBase 1.4 (it came with 2.x); use fifo, deadline or codel"
            }
        };
        return Err(error(
            "hbase.ipc.server.callqueue.type",
            ErrorKind::Unsupported,
            message.to_string(),
        ));
    }
    // A site file may carry settings that apply to something the run does not have (HBase
    // ignores them then); the scenario or --set changing one from its default means to change
    // the run.
    let set_here = |name: &str| {
        properties.get(name).is_some_and(|property| {
            matches!(property.source, Source::Scenario(_) | Source::Argument(_))
                && property.value != properties.default_value(name)
        })
    };
    if !scenario
        .workloads
        .iter()
        .any(|workload| workload.client == ClientApi::BufferedMutator)
    {
        for name in MUTATOR_PROPERTIES {
            if set_here(name) {
                return Err(error(
                    name,
                    ErrorKind::Impossible,
                    format!(
                        "{name} applies to a BufferedMutator, and no workload writes through one (HBase's Table.put and Table.batch use neither the write buffer nor the task limits): give a workload client = \"buffered_mutator\", or remove it"
                    ),
                ));
            }
        }
    }
    if properties.text("hbase.ipc.server.callqueue.type") != "codel" {
        for name in [
            "hbase.ipc.server.callqueue.codel.target.delay",
            "hbase.ipc.server.callqueue.codel.interval",
            "hbase.ipc.server.callqueue.codel.lifo.threshold",
        ] {
            if set_here(name) {
                return Err(error(
                    name,
                    ErrorKind::Impossible,
                    format!(
                        "{name} applies only to codel call queues, and hbase.ipc.server.callqueue.type is {}: set the type to codel, or remove it",
                        properties.text("hbase.ipc.server.callqueue.type")
                    ),
                ));
            }
        }
    }
    check_compaction_properties(properties)
}

/// The compaction selection settings that each pass their range but cannot work together.
/// HBase itself accepts them silently (no selection ever has enough files; off-peak hours are
/// ignored with a warning), so a run would quietly never compact.
pub fn check_compaction_properties(properties: &Properties) -> Result<(), ScenarioError> {
    let error = |name: &str, message: String| {
        ScenarioError::new(ErrorKind::Impossible, message)
            .at(properties.origin(name))
            .key(name.to_string())
    };
    // CompactionConfiguration takes max(2, min).
    let min_files = properties.int("hbase.hstore.compaction.min").max(2);
    let max_files = properties.int("hbase.hstore.compaction.max");
    if min_files > max_files {
        let name = if properties.origin("hbase.hstore.compaction.max").is_some() {
            "hbase.hstore.compaction.max"
        } else {
            "hbase.hstore.compaction.min"
        };
        return Err(error(
            name,
            format!(
                "hbase.hstore.compaction.min ({min_files}) is above hbase.hstore.compaction.max ({max_files}): no minor compaction could ever have enough files; raise the max or lower the min"
            ),
        ));
    }
    // Each hour is -1 (none) or 0 to 23, by its range.
    let start = properties.int("hbase.offpeak.start.hour");
    let end = properties.int("hbase.offpeak.end.hour");
    let valid = |hour: i64| (0..=23).contains(&hour);
    if valid(start) != valid(end) {
        let unset = if valid(start) {
            "hbase.offpeak.end.hour"
        } else {
            "hbase.offpeak.start.hour"
        };
        return Err(error(
            unset,
            format!(
                "off-peak hours need both a start and an end hour, found start {start} and end {end}; HBase would ignore them and have no off-peak hours"
            ),
        ));
    }
    Ok(())
}

impl Scenario {
    /// Whether the JVM runs with compressed oops: as set, or HotSpot's choice by heap size.
    pub fn compressed_oops(&self) -> bool {
        match self.compressed_oops {
            CompressedOops::Auto => self.heap_bytes < COMPRESSED_OOPS_HEAP_LIMIT,
            CompressedOops::On => true,
            CompressedOops::Off => false,
        }
    }

    /// The region flush size of a table: its MEMSTORE_FLUSHSIZE, else the server's.
    pub fn flush_size_of(&self, table: &TableSpec) -> u64 {
        table
            .memstore_flushsize
            .unwrap_or_else(|| self.properties.bytes("hbase.hregion.memstore.flush.size"))
    }

    /// The scenario as TOML with every default written out: reading it back gives an equal
    /// scenario, so a result folder carries the exact input that reproduces it.
    pub fn to_resolved_toml(&self) -> String {
        let mut out = String::new();
        out.push_str("# The exact input of this run, every default filled in.\n");
        out.push_str("# `regionsim run` on this file reproduces the run byte for byte.\n\n");
        out.push_str(&format!("name = {}\n", quote(&self.name)));
        out.push_str(&format!("description = {}\n", quote(&self.description)));
        out.push_str(&format!("seed = {}\n", self.seed));
        out.push_str(&format!("duration = \"{}\"\n", self.duration));
        out.push_str(&format!("profile = \"{}\"\n", self.profile));
        out.push_str(&format!("release = \"{}\"\n\n", self.release));
        out.push_str("[server]\n");
        out.push_str(&format!(
            "heap = {}\n",
            quote(&format_size(self.heap_bytes))
        ));
        out.push_str(&format!(
            "restart = {}\n",
            match self.restart_after {
                Some(restart) => quote(&restart.to_string()),
                None => quote("never"),
            }
        ));
        out.push_str(&format!(
            "compressed_oops = {}\n",
            match self.compressed_oops {
                CompressedOops::Auto => "\"auto\"",
                CompressedOops::On => "true",
                CompressedOops::Off => "false",
            }
        ));
        out.push_str(&format!(
            "clock_start = {}\n",
            quote(&units::format_utc_instant(self.clock_start_ms))
        ));
        if let Some(cores) = self.cpu.cores {
            out.push_str(&format!("cores = {cores}\n"));
        }
        out.push('\n');
        let codecs: Vec<_> = self.tables.iter().map(|table| table.codec).collect();
        self.cpu.write(&codecs, &mut out);
        self.jvm.write(&mut out);
        out.push_str(&format!(
            "[report]\ninterval = \"{}\"\nwarmup = \"{}\"\n\n",
            self.sample_interval, self.warmup
        ));
        if let Some(warm) = &self.warm {
            warm.write(&mut out);
        }
        out.push_str("[properties]\n");
        for property in self.properties.iter() {
            let name = quote(property.definition.name);
            match &property.value {
                Some(value) => {
                    let literal = match value {
                        properties::PropertyValue::Text(text) => quote(text),
                        properties::PropertyValue::Float(number) => writer::float(*number),
                        other => other.to_string(),
                    };
                    out.push_str(&format!(
                        "{name} = {literal}  # {}; {}\n",
                        property.display_value(),
                        property.source
                    ));
                }
                None => out.push_str(&format!("# {name} is unset\n")),
            }
        }
        for ignored in self.properties.ignored() {
            out.push_str(&format!(
                "# {} = {} from {} was ignored: {}\n",
                quote(&ignored.name),
                quote(&ignored.value),
                ignored.origin,
                ignored.reason
            ));
        }
        out.push('\n');
        self.io.write(&mut out);
        for table in &self.tables {
            table.write(&mut out);
        }
        for workload in &self.workloads {
            workload.write(&mut out);
        }
        for action in &self.actions {
            action.write(&mut out);
        }
        for fault in &self.faults {
            fault.write(&mut out);
        }
        if self.bugs != KnownBugs::NONE {
            out.push_str("[bugs]\n");
            for bug in self.bugs.iter() {
                out.push_str(&format!("\"{}\" = true\n", bug.jira()));
            }
        }
        out
    }
}

/// A scenario from text for unit tests elsewhere in the crate: `name`, `duration` and one
/// table `t` are filled in unless `text` gives them.
#[cfg(test)]
pub fn for_tests(text: &str) -> Scenario {
    let mut full = String::new();
    if !text.contains("name =") {
        full.push_str("name = \"test\"\n");
    }
    if !text.contains("duration =") {
        full.push_str("duration = \"1s\"\n");
    }
    full.push_str(text);
    if !text.contains("[[tables]]") {
        full.push_str("\n[[tables]]\nname = \"t\"\n");
    }
    load_str("test.toml", &full, Path::new("."), &LoadOptions::default())
        .unwrap_or_else(|error| panic!("{error}"))
}

#[cfg(test)]
mod tests;
