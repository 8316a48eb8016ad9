//! HBase settings that regionsim knows of and does not act on, each with the reason: those that
//! change behaviour it does not model, and those that have no part in what it simulates.
//!
//! A property in the profile's table (`profile.rs`) is modelled: every value it accepts changes
//! the run as it would change HBase. Everything else a scenario, `--set` or a site file may name
//! falls in one of these groups:
//!
//! - **not modelled** (`NOT_MODELLED`): HBase has it and it changes what a RegionServer does, but
//!   regionsim does not simulate that behaviour (another store engine, multiwal, the client's
//!   write buffer). Refused in `[properties]` and with `--set`; from a site file, which is
//!   imported as it is, a warning in `validate` and `run`.
//! - **modelled, but not this value** (`UNMODELLED_VALUES`): `hbase.wal.provider = multiwal`,
//!   an off-heap memstore. The same: refused in a scenario, a warning from a site file (and the
//!   profile's value is simulated).
//! - **irrelevant** (`IRRELEVANT`): where HBase keeps its files, how it finds ZooKeeper and the
//!   master, ports, security, the web UI, the read path's caches, the master's chores. Refused
//!   in a scenario (it would change nothing); listed quietly by `config` from a site file.
//! - **unknown**: in no list. An error in a scenario, with a suggestion; from a site file a
//!   warning if it is an HBase name (`hbase.`, `hfile.`), which may be a RegionServer setting
//!   nobody has looked at yet, and quiet otherwise (Hadoop's, HDFS's and ZooKeeper's own).
//!
//! A name that ends in `.` stands for every name it starts that the profile's table does not
//! model (the table is consulted first: `hbase.master.` is irrelevant, but the master's
//! LogCleaner settings that decide how long split WALs stay are modelled). Names are HBase's,
//! checked in its source for the line (2.5, 1.4) that has them.

use super::profile::ProfileId;
use super::properties::PropertyValue;

/// What regionsim makes of a property name outside the profile's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// HBase behaviour regionsim does not simulate.
    NotModelled(&'static str),
    /// No part in what regionsim simulates.
    Irrelevant(&'static str),
    /// An HBase name in no list.
    UnknownHbase,
    /// Another component's name (Hadoop, HDFS, ZooKeeper).
    Foreign,
}

impl Standing {
    /// Whether a site file setting it earns a warning in `validate` and `run`.
    pub fn warns(self) -> bool {
        matches!(self, Standing::NotModelled(_) | Standing::UnknownHbase)
    }
}

/// One listed name (or prefix, ending in `.`) with its reason; `only` limits it to one line.
struct Listed {
    name: &'static str,
    only: Option<ProfileId>,
    reason: &'static str,
}

const fn listed(name: &'static str, reason: &'static str) -> Listed {
    Listed {
        name,
        only: None,
        reason,
    }
}

impl Listed {
    fn matches(&self, name: &str, profile: ProfileId) -> bool {
        let named = if self.name.ends_with('.') {
            name.starts_with(self.name)
        } else {
            name == self.name
        };
        named && self.only.is_none_or(|only| only == profile)
    }
}

/// Where a name outside the profile's table stands.
pub fn standing(name: &str, profile: ProfileId) -> Standing {
    if let Some(entry) = NOT_MODELLED
        .iter()
        .find(|entry| entry.matches(name, profile))
    {
        return Standing::NotModelled(entry.reason);
    }
    if let Some(entry) = IRRELEVANT.iter().find(|entry| entry.matches(name, profile)) {
        return Standing::Irrelevant(entry.reason);
    }
    if name.starts_with("hbase.") || name.starts_with("hfile.") {
        Standing::UnknownHbase
    } else {
        Standing::Foreign
    }
}

/// A value of a modelled property that asks for behaviour regionsim does not model.
struct UnmodelledValue {
    name: &'static str,
    refuses: fn(&PropertyValue) -> bool,
    reason: &'static str,
}

/// Why `value` of the modelled property `name` cannot be simulated, if it cannot.
pub fn unmodelled_value(name: &str, value: &PropertyValue) -> Option<&'static str> {
    UNMODELLED_VALUES
        .iter()
        .find(|entry| entry.name == name && (entry.refuses)(value))
        .map(|entry| entry.reason)
}

/// Every listed name, for the table's consistency test.
#[cfg(test)]
fn listed_names() -> impl Iterator<Item = &'static str> {
    NOT_MODELLED
        .iter()
        .chain(IRRELEVANT)
        .map(|entry| entry.name)
}

const MAX_MUTATIONS: &str = "a BufferedMutator's flush on its count of mutations (2.5.12+) is not modelled: it flushes on its buffer's heap size";
const SERVER_TOO_BUSY: &str = "the RPC client's limit of concurrent requests per server (ServerTooBusyException) is not modelled: HBase's default, 2147483647, never binds";
const MSLAB_CHUNKS: &str = "MSLAB chunks themselves (their size, the chunk pool) are not modelled: they change the JVM's memory and garbage collection, not the memstore sizes HBase accounts and regionsim follows";
const STORE_ENGINES: &str = "only the default store engine (DefaultStoreEngine, its flusher and compactor) is modelled; stripe and date-tiered compaction are not";
const MULTIWAL: &str = "multiwal (several WALs per server, grouped by region) is not modelled: the server writes one WAL";
const IN_MEMORY_COMPACTION: &str =
    "in-memory compaction (CompactingMemStore) is not modelled: memstores are DefaultMemStore";
const REPLICAS: &str = "region replicas are not modelled: each region has its primary only";
const REPLICATION: &str =
    "replication is not modelled: no source reads the WAL or holds its files back from archiving";
const WAL_BYTES: &str = "WAL compression, encryption and other codecs are not modelled: entries are written in regionsim's one encoding";
const ROLL_FAILURES: &str = "failed WAL closes and roll retries are not modelled: a roll that fails aborts the server (a `crash` fault with during = \"roll\")";
const LOW_REPLICATION: &str =
    "low-replication WAL rolls are not modelled: there is no DataNode pipeline";
const THROTTLE_SLEEPS: &str = "the throughput controllers are modelled as a steady cap on each operation's rate; their sleeps every check interval are not";
const COPROCESSORS: &str = "coprocessors are not modelled: none run on the simulated write path";
const RW_QUEUES: &str = "separate read, write and scan call queues (RWQueueRpcExecutor) are not modelled: gets, scans and writes share the queues and handlers (set it to 0)";
const BUCKET_CACHE: &str = "BucketCache (the L2 cache behind LruBlockCache) is not modelled: blocks are cached on the heap in LruBlockCache alone";
const READS: &str = "this part of the read path is not modelled (blocks are read on demand through LruBlockCache; no prefetch, no compressed or off-heap caching, no scanner leases)";

/// HBase properties whose settings change behaviour regionsim does not model.
static NOT_MODELLED: &[Listed] = &[
    listed("hbase.client.write.buffer.maxmutations", MAX_MUTATIONS),
    listed("hbase.client.perserver.requests.threshold", SERVER_TOO_BUSY),
    listed("hbase.hregion.memstore.mslab.chunksize", MSLAB_CHUNKS),
    listed("hbase.hregion.memstore.chunkpool.", MSLAB_CHUNKS),
    listed(
        "hbase.hregion.memstore.mslab.indexchunksize.percent",
        MSLAB_CHUNKS,
    ),
    listed("hbase.hstore.engine.class", STORE_ENGINES),
    listed(
        "hbase.hstore.defaultengine.storeflusher.class",
        STORE_ENGINES,
    ),
    listed("hbase.hstore.defaultengine.compactor.class", STORE_ENGINES),
    listed("hbase.hstore.stripe.", STORE_ENGINES),
    listed("hbase.hstore.compaction.date.tiered.", STORE_ENGINES),
    listed("hbase.wal.regiongrouping.", MULTIWAL),
    listed(
        "hbase.hregion.compacting.memstore.adaptive.",
        IN_MEMORY_COMPACTION,
    ),
    listed(
        "hbase.hregion.compacting.pipeline.segments.limit",
        IN_MEMORY_COMPACTION,
    ),
    listed("hbase.memstore.inmemoryflush.", IN_MEMORY_COMPACTION),
    listed(
        "hbase.wal.split.to.hfile",
        "splitting a WAL straight into HFiles (HBASE-23286) is not modelled: the split writes recovered edits, which the region replays",
    ),
    listed("hbase.region.replica.", REPLICAS),
    listed("hbase.regionserver.storefile.refresh.period", REPLICAS),
    listed("hbase.replication", REPLICATION),
    listed("hbase.replication.", REPLICATION),
    listed("hbase.regionserver.replication.handler.count", REPLICATION),
    listed("hbase.regionserver.wal.enablecompression", WAL_BYTES),
    listed("hbase.regionserver.wal.tags.enablecompression", WAL_BYTES),
    listed("hbase.regionserver.wal.value.", WAL_BYTES),
    listed("hbase.regionserver.wal.encryption", WAL_BYTES),
    listed("hbase.regionserver.wal.codec", WAL_BYTES),
    listed("hbase.regionserver.hlog.writer.impl", WAL_BYTES),
    listed("hbase.regionserver.hlog.reader.impl", WAL_BYTES),
    listed("hbase.regionserver.logroll.errors.tolerated", ROLL_FAILURES),
    listed("hbase.regionserver.logroll.retries", ROLL_FAILURES),
    listed("hbase.regionserver.logroll.wait.timeout.ms", ROLL_FAILURES),
    listed(
        "hbase.regionserver.hlog.tolerable.lowreplication",
        LOW_REPLICATION,
    ),
    listed(
        "hbase.regionserver.hlog.lowreplication.rolllimit",
        LOW_REPLICATION,
    ),
    listed("hbase.regionserver.hlog.replication", LOW_REPLICATION),
    listed(
        "hbase.regionserver.wal.disruptor.event.count",
        "the WAL's ring buffer is not modelled as bounded: an append never waits for a free slot",
    ),
    Listed {
        name: "hbase.regionserver.hlog.slowsync.ms",
        only: Some(ProfileId::Hbase14),
        reason: "in 1.4 it only decides which syncs FSHLog logs as slow, and logging is not modelled",
    },
    listed(
        "hbase.regionserver.metahandler.count",
        "the priority (meta and admin) handlers are not modelled: operator actions run outside the RPC handlers",
    ),
    listed(
        "hbase.regionserver.handler.abort.on.error.percent",
        "handler threads dying of errors are not modelled",
    ),
    listed(
        "hbase.hstore.compaction.throughput.control.check.interval",
        THROTTLE_SLEEPS,
    ),
    listed(
        "hbase.hstore.flush.throughput.control.check.interval",
        THROTTLE_SLEEPS,
    ),
    listed(
        "hbase.hstore.compaction.kv.max",
        "a compaction's reads and writes are modelled as byte streams, not as batches of cells",
    ),
    listed(
        "hbase.hstore.flush.retries.number",
        "failed flushes (and their retries) are not modelled",
    ),
    listed(
        "hbase.regionserver.thread.split",
        "the split thread pool is not modelled: a split the policy asks for starts at once",
    ),
    listed(
        "hbase.hregion.split.ignore.blocking.enabled",
        "splitting a region with a store at its blocking file count (HBASE-26242) is not modelled",
    ),
    listed(
        "hbase.regionserver.region.split_restriction.type",
        "split restrictions (KeyPrefix, DelimitedKeyPrefix) are not modelled: a split is at the largest file's mid key",
    ),
    listed("hbase.coprocessor.region.classes", COPROCESSORS),
    listed("hbase.coprocessor.user.region.classes", COPROCESSORS),
    listed("hbase.coprocessor.wal.classes", COPROCESSORS),
];

const LOCATION: &str = "where HBase keeps its files has no part in what regionsim simulates";
const CLUSTER: &str = "how the cluster is wired (ZooKeeper, the master, hosts) has no part in what regionsim simulates";
const NETWORK: &str =
    "ports, addresses and web interfaces have no part in what regionsim simulates";
const SECURITY: &str = "security settings have no part in what regionsim simulates";
const MASTER: &str = "the master's own work has no part in what regionsim simulates";
const OBSERVABILITY: &str =
    "metrics, logs and status reports have no part in what regionsim simulates";

/// HBase properties that have no part in what regionsim simulates.
static IRRELEVANT: &[Listed] = &[
    listed("hbase.rootdir", LOCATION),
    listed("hbase.wal.dir", LOCATION),
    listed("hbase.tmp.dir", LOCATION),
    listed("hbase.local.dir", LOCATION),
    listed("hbase.dynamic.jars.dir", LOCATION),
    listed("hbase.fs.tmp.dir", LOCATION),
    listed("hbase.bulkload.staging.dir", LOCATION),
    listed("hbase.unsafe.stream.capability.enforce", LOCATION),
    listed("hbase.cluster.distributed", CLUSTER),
    listed("hbase.zookeeper.", CLUSTER),
    listed("zookeeper.znode.", CLUSTER),
    listed("zookeeper.recovery.retry", CLUSTER),
    listed("hbase.master", CLUSTER),
    listed("hbase.regionserver.hostname", CLUSTER),
    listed("hbase.regionserver.dns.", CLUSTER),
    listed("hbase.defaults.for.version", CLUSTER),
    listed("hbase.defaults.for.version.skip", CLUSTER),
    listed("hbase.regionserver.port", NETWORK),
    listed("hbase.regionserver.info.", NETWORK),
    listed("hbase.status.", NETWORK),
    listed("hbase.rest.", NETWORK),
    listed("hbase.thrift.", NETWORK),
    listed("hbase.http.", NETWORK),
    listed("hbase.security.", SECURITY),
    listed("hbase.superuser", SECURITY),
    listed("hbase.auth.", SECURITY),
    listed("hbase.regionserver.kerberos.principal", SECURITY),
    listed("hbase.regionserver.keytab.file", SECURITY),
    listed("hbase.master.kerberos.principal", SECURITY),
    listed("hbase.master.keytab.file", SECURITY),
    listed("hbase.rpc.protection", SECURITY),
    listed("hbase.crypto.", SECURITY),
    listed("hbase.coprocessor.master.classes", SECURITY),
    listed("hbase.coprocessor.regionserver.classes", SECURITY),
    listed("hbase.master.", MASTER),
    listed("hbase.balancer.", MASTER),
    listed("hbase.regions.slop", MASTER),
    listed("hbase.normalizer.", MASTER),
    listed("hbase.procedure.", MASTER),
    listed("hbase.hbck.", MASTER),
    listed("hbase.table.sanity.checks", MASTER),
    listed("hbase.snapshot.", MASTER),
    listed("hbase.metrics.", OBSERVABILITY),
    listed("hbase.regionserver.metrics.", OBSERVABILITY),
    listed("hbase.bucketcache.", BUCKET_CACHE),
    listed("hbase.rs.", READS),
    listed("hbase.block.data.", READS),
    listed("hfile.block.index.cacheonwrite", READS),
    listed("hfile.block.bloom.cacheonwrite", READS),
    listed("hbase.regionserver.lease.period", READS),
];

/// Values of modelled properties that ask for behaviour regionsim does not model.
static UNMODELLED_VALUES: &[UnmodelledValue] = &[
    UnmodelledValue {
        name: "hbase.ipc.server.callqueue.read.ratio",
        refuses: |value| matches!(value, PropertyValue::Float(ratio) if *ratio > 0.0),
        reason: RW_QUEUES,
    },
    UnmodelledValue {
        name: "hbase.ipc.server.callqueue.scan.ratio",
        refuses: |value| matches!(value, PropertyValue::Float(ratio) if *ratio > 0.0),
        reason: RW_QUEUES,
    },
    UnmodelledValue {
        name: "hbase.wal.provider",
        refuses: |value| matches!(value, PropertyValue::Text(provider) if provider == "multiwal"),
        reason: MULTIWAL,
    },
    UnmodelledValue {
        name: "hbase.hregion.compacting.memstore.type",
        refuses: |value| matches!(value, PropertyValue::Text(kind) if kind != "NONE"),
        reason: IN_MEMORY_COMPACTION,
    },
    UnmodelledValue {
        name: "hbase.regionserver.offheap.global.memstore.size",
        refuses: |value| matches!(value, PropertyValue::Int(megabytes) if *megabytes > 0),
        reason: "off-heap memstores are not modelled: memstores are on the heap (set it to 0)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::profile::definitions;

    // No name is both modelled (in the profile's table) and listed by its exact name as not
    // modelled or irrelevant, in either line; a prefix may cover modelled names, which the
    // table's lookup, first, keeps modelled.
    #[test]
    fn lists_and_the_table_do_not_overlap() {
        for def in definitions() {
            for profile in ProfileId::ALL {
                if !def.default_in(profile).exists() {
                    continue;
                }
                let exact = NOT_MODELLED
                    .iter()
                    .chain(IRRELEVANT)
                    .any(|entry| entry.name == def.name && entry.matches(def.name, profile));
                assert!(!exact, "{} is modelled in {profile} but listed", def.name);
            }
        }
        for name in listed_names() {
            assert!(
                name.starts_with("hbase.")
                    || name.starts_with("hfile.")
                    || name.starts_with("zookeeper."),
                "{name}"
            );
        }
        for entry in UNMODELLED_VALUES {
            assert!(
                crate::scenario::profile::definition(entry.name).is_some(),
                "{} is not a modelled property",
                entry.name
            );
        }
    }

    // Names are matched exactly or by a prefix ending in '.', per line; what is in no list is
    // an unknown HBase name or another component's.
    #[test]
    fn standing_of_names() {
        let hbase25 = ProfileId::Hbase25;
        assert_eq!(
            standing("hbase.client.write.buffer.maxmutations", hbase25),
            Standing::NotModelled(MAX_MUTATIONS)
        );
        assert!(matches!(
            standing("hbase.wal.regiongrouping.numgroups", hbase25),
            Standing::NotModelled(MULTIWAL)
        ));
        assert!(matches!(
            standing("hbase.regionserver.hlog.slowsync.ms", ProfileId::Hbase14),
            Standing::NotModelled(_)
        ));
        assert!(matches!(
            standing("hbase.rootdir", hbase25),
            Standing::Irrelevant(LOCATION)
        ));
        assert!(matches!(
            standing("hbase.zookeeper.quorum", hbase25),
            Standing::Irrelevant(CLUSTER)
        ));
        // "hbase.rootdir" is exact: a longer name is not covered by it.
        assert_eq!(standing("hbase.rootdirs", hbase25), Standing::UnknownHbase);
        assert_eq!(standing("dfs.replication", hbase25), Standing::Foreign);
        assert!(Standing::UnknownHbase.warns());
        assert!(!Standing::Irrelevant(LOCATION).warns());
        assert!(!Standing::Foreign.warns());
    }

    // multiwal, in-memory compaction and off-heap memstores are refused by value; the values
    // regionsim models pass.
    #[test]
    fn unmodelled_values() {
        let text = |value: &str| PropertyValue::Text(value.to_string());
        assert_eq!(
            unmodelled_value("hbase.wal.provider", &text("multiwal")),
            Some(MULTIWAL)
        );
        assert_eq!(
            unmodelled_value("hbase.wal.provider", &text("filesystem")),
            None
        );
        assert!(
            unmodelled_value("hbase.hregion.compacting.memstore.type", &text("BASIC")).is_some()
        );
        assert!(
            unmodelled_value("hbase.hregion.compacting.memstore.type", &text("NONE")).is_none()
        );
        let megabytes = |value| PropertyValue::Int(value);
        assert!(
            unmodelled_value(
                "hbase.regionserver.offheap.global.memstore.size",
                &megabytes(1024)
            )
            .is_some()
        );
        assert!(
            unmodelled_value(
                "hbase.regionserver.offheap.global.memstore.size",
                &megabytes(0)
            )
            .is_none()
        );
    }
}
