//! The server's storage pipes: the HDFS write pipe that flushes and compactions share, the
//! WAL's device (that same pipe unless the scenario gives the WAL its own), and the HDFS read
//! pipe compactions read their input through.
//!
//! Each device is a `SharedBandwidth` (transfers split its rate, max-min fairly when some are
//! capped). The WAL is one HDFS output stream, so on the shared pipe it counts as one transfer
//! among the flushes: a flush that starts halves what the WAL gets, and a WAL that cannot keep
//! up holds back its syncs, so the writers behind them, before a memstore can outgrow its
//! blocking size. Deployments that put the WAL on separate, faster storage
//! (`hbase.wal.storage.policy` ONE_SSD / ALL_SSD) are described by `io.wal_write_bandwidth`:
//! then the WAL writes to a device of its own. A throttled compaction's transfers carry its
//! throughput cap.
//!
//! With the CPU model on, the server's cores are one more such resource (`Device::Cpu`): a
//! thread's CPU work is a transfer of CPU-nanoseconds over `cores` × 10⁹ a second, each thread
//! capped at one core, so threads share the cores equally once more of them want to run than
//! there are cores.

use std::collections::BTreeMap;

use crate::sim::{SharedBandwidth, SimDuration, SimTime, TransferId};

/// One of the devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Device {
    /// The HDFS write pipe: flushes, compactions, and the WAL unless it has its own.
    Shared,
    /// The WAL's own storage.
    Wal,
    /// The HDFS read pipe: compactions reading their input files.
    Read,
    /// The server's cores (with the CPU model on): work in CPU-nanoseconds.
    Cpu,
}

/// A core's work per second, in CPU-nanoseconds: the most one thread can do.
pub const CORE_NANOS_PER_SEC: u64 = 1_000_000_000;

impl Device {
    /// A number for the event's trace key.
    pub fn index(self) -> u64 {
        match self {
            Device::Shared => 0,
            Device::Wal => 1,
            Device::Read => 2,
            Device::Cpu => 3,
        }
    }
}

/// A transfer on a device, for changing its cap or cancelling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TransferKey {
    pub device: Device,
    pub transfer: TransferId,
}

/// The share of its capacity each pipe moved over a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PipeUtilisation {
    pub hdfs_write: f64,
    /// The WAL's own device, if it has one.
    pub wal_device: Option<f64>,
    pub hdfs_read: f64,
    /// The cores, with the CPU model on: the share of their time threads ran.
    pub cpu: Option<f64>,
}

/// The devices and who each transfer on them belongs to.
#[derive(Debug, Clone)]
pub struct Devices<O> {
    shared: SharedBandwidth,
    wal: Option<SharedBandwidth>,
    read: SharedBandwidth,
    cpu: Option<SharedBandwidth>,
    cores: Option<u32>,
    owners: BTreeMap<(Device, TransferId), O>,
}

impl<O: Copy> Devices<O> {
    /// `wal_bytes_per_sec`: the WAL's own device, or None for the shared pipe; `cores`: the
    /// CPU model's cores, or None with the model off.
    pub fn new(
        shared_bytes_per_sec: u64,
        wal_bytes_per_sec: Option<u64>,
        read_bytes_per_sec: u64,
        cores: Option<u32>,
    ) -> Devices<O> {
        Devices {
            shared: SharedBandwidth::new(shared_bytes_per_sec),
            wal: wal_bytes_per_sec.map(SharedBandwidth::new),
            read: SharedBandwidth::new(read_bytes_per_sec),
            cpu: cores.map(|cores| SharedBandwidth::new(u64::from(cores) * CORE_NANOS_PER_SEC)),
            cores,
            owners: BTreeMap::new(),
        }
    }

    /// Stops (`running` false: a garbage-collection pause) or restarts the threads' CPU work
    /// from `now`; nothing without the CPU model.
    pub fn set_cpu_running(&mut self, now: SimTime, running: bool) {
        if let (Some(cpu), Some(cores)) = (self.cpu.as_mut(), self.cores) {
            // A rate of 1 CPU-nanosecond a second stands for none (a rate is never 0).
            let rate = if running {
                u64::from(cores) * CORE_NANOS_PER_SEC
            } else {
                1
            };
            cpu.set_bytes_per_sec(now, rate);
        }
    }

    /// Whether threads share cores (the CPU model is on).
    pub fn has_cpu(&self) -> bool {
        self.cpu.is_some()
    }

    /// Starts `work` of CPU for `owner` on one thread (at most one core).
    pub fn start_cpu(&mut self, now: SimTime, work: SimDuration, owner: O) -> TransferKey {
        self.start(
            Device::Cpu,
            now,
            work.as_nanos(),
            Some(CORE_NANOS_PER_SEC),
            owner,
        )
    }

    /// The cores' work done and possible up to `now` (see `SharedBandwidth::work`), with the
    /// CPU model on.
    pub fn cpu_work(&self, now: SimTime) -> Option<(u128, u128)> {
        self.cpu.as_ref().map(|cores| cores.work(now))
    }

    /// Transfers running on a device (on the cores: the threads that want to run).
    pub fn active(&self, device: Device) -> usize {
        self.pipe(device).active()
    }

    /// The device the WAL writes to.
    pub fn wal_device(&self) -> Device {
        if self.wal.is_some() {
            Device::Wal
        } else {
            Device::Shared
        }
    }

    /// How full each pipe was from the start to `now`.
    pub fn utilisation(&self, now: SimTime) -> PipeUtilisation {
        PipeUtilisation {
            hdfs_write: self.shared.utilisation(now),
            wal_device: self.wal.as_ref().map(|pipe| pipe.utilisation(now)),
            hdfs_read: self.read.utilisation(now),
            cpu: self.cpu.as_ref().map(|cores| cores.utilisation(now)),
        }
    }

    fn pipe(&self, device: Device) -> &SharedBandwidth {
        match device {
            Device::Wal => self.wal.as_ref().expect("the WAL has its own device"),
            Device::Shared => &self.shared,
            Device::Read => &self.read,
            Device::Cpu => self.cpu.as_ref().expect("the CPU model is on"),
        }
    }

    fn pipe_mut(&mut self, device: Device) -> &mut SharedBandwidth {
        match device {
            Device::Wal => self.wal.as_mut().expect("the WAL has its own device"),
            Device::Shared => &mut self.shared,
            Device::Read => &mut self.read,
            Device::Cpu => self.cpu.as_mut().expect("the CPU model is on"),
        }
    }

    /// Starts moving `bytes` for `owner`, at most `cap` bytes per second if given.
    pub fn start(
        &mut self,
        device: Device,
        now: SimTime,
        bytes: u64,
        cap: Option<u64>,
        owner: O,
    ) -> TransferKey {
        let transfer = self.pipe_mut(device).start_capped(now, bytes, cap);
        self.owners.insert((device, transfer), owner);
        TransferKey { device, transfer }
    }

    /// Changes a running transfer's cap from `now` on.
    pub fn set_cap(&mut self, now: SimTime, key: TransferKey, cap: Option<u64>) {
        self.pipe_mut(key.device).set_cap(now, key.transfer, cap);
    }

    /// Abandons a running transfer; its owner is forgotten.
    pub fn cancel(&mut self, now: SimTime, key: TransferKey) {
        if self.pipe_mut(key.device).cancel(now, key.transfer) {
            self.owners.remove(&(key.device, key.transfer));
        }
    }

    /// Abandons every running transfer (the server died).
    pub fn cancel_all(&mut self, now: SimTime) {
        for (device, transfer) in std::mem::take(&mut self.owners).into_keys() {
            self.pipe_mut(device).cancel(now, transfer);
        }
    }

    /// Runs every device at `factor` times its configured bandwidth from `now` on.
    pub fn scale_bandwidth(&mut self, now: SimTime, configured: [Option<u64>; 3], factor: f64) {
        for (device, bytes_per_sec) in [Device::Shared, Device::Wal, Device::Read]
            .into_iter()
            .zip(configured)
        {
            if let Some(bytes_per_sec) = bytes_per_sec {
                let scaled = ((bytes_per_sec as f64 * factor) as u64).max(1);
                self.pipe_mut(device).set_bytes_per_sec(now, scaled);
            }
        }
    }

    /// When the device's next transfer finishes, and the generation that wake-up is valid for.
    pub fn next_completion(&self, device: Device) -> Option<(SimTime, u64)> {
        let pipe = self.pipe(device);
        pipe.next_completion().map(|at| (at, pipe.generation()))
    }

    /// The owners of the transfers finished by `now`, in start order; none for a stale wake-up.
    pub fn take_finished(&mut self, device: Device, generation: u64, now: SimTime) -> Vec<O> {
        if generation != self.pipe(device).generation() {
            return Vec::new();
        }
        let finished = self.pipe_mut(device).take_finished(now);
        finished
            .into_iter()
            .map(|transfer| {
                self.owners
                    .remove(&(device, transfer))
                    .expect("every transfer has an owner")
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wal_shares_the_pipe_unless_it_has_its_own_device() {
        let mut shared: Devices<u32> = Devices::new(1000, None, 1000, None);
        assert_eq!(shared.wal_device(), Device::Shared);
        let start = SimTime::ZERO;
        shared.start(Device::Shared, start, 1000, None, 1);
        shared.start(shared.wal_device(), start, 1000, None, 2);
        // Two equal transfers on 1000 B/s: both end at 2 s.
        let (at, generation) = shared.next_completion(Device::Shared).unwrap();
        assert_eq!(at, start + SimDuration::from_secs(2));
        assert_eq!(
            shared.take_finished(Device::Shared, generation, at),
            vec![1, 2]
        );

        let mut separate: Devices<u32> = Devices::new(1000, Some(1000), 1000, None);
        assert_eq!(separate.wal_device(), Device::Wal);
        separate.start(Device::Shared, start, 1000, None, 1);
        separate.start(Device::Wal, start, 1000, None, 2);
        let (at, generation) = separate.next_completion(Device::Wal).unwrap();
        assert_eq!(at, start + SimDuration::from_secs(1));
        assert!(
            separate
                .take_finished(Device::Wal, generation + 1, at)
                .is_empty()
        );
        assert_eq!(separate.take_finished(Device::Wal, generation, at), vec![2]);
    }
}
