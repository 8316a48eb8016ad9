//! The flusher chart: the MemStoreFlusher's queue and handlers against
//! hbase.hstore.flusher.count, and the RPC side — handlers busy against
//! hbase.regionserver.handler.count, the call queue, and handlers blocked in
//! reclaimMemStoreMemory. Together they show where writes wait when flushes fall behind. (The
//! cores, with the CPU model on, are in the `cpu-gc` chart.)

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Chart;
use super::style::{DrawResult, Figure, Mark, render};
use super::timeline::{Column, CountPanel, count_panel, title};
use crate::report::result_reader::ResultFolder;

const FLUSHER: [Column<'static>; 3] = [
    Column {
        name: "flush_queue_length",
        label: "flush queue entries",
        mark: Mark::Line,
    },
    Column {
        name: "flushes_in_progress",
        label: "flushes in progress",
        mark: Mark::Line,
    },
    Column {
        name: "flush_handlers_busy",
        label: "flush handlers busy",
        mark: Mark::Line,
    },
];

const RPC: [Column<'static>; 3] = [
    Column {
        name: "rpc_handlers_busy",
        label: "RPC handlers busy",
        mark: Mark::Line,
    },
    Column {
        name: "call_queue_length",
        label: "calls queued",
        mark: Mark::Line,
    },
    Column {
        name: "blocked_writers",
        label: "handlers blocked (global pressure)",
        mark: Mark::Line,
    },
];

struct FlusherFigure<'f> {
    folder: &'f ResultFolder,
}

impl Figure for FlusherFigure<'_> {
    fn panel_count(&self) -> u32 {
        2
    }

    fn draw<DB: DrawingBackend>(&self, areas: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB> {
        let properties = &self.folder.scenario.properties;
        let handlers = |property: &str, label: &str| {
            properties
                .int_opt(property)
                .map(|count| (format!("{label} ({count})"), count as f64))
                .into_iter()
                .collect::<Vec<_>>()
        };
        count_panel(
            &areas[0],
            self.folder,
            CountPanel {
                caption: "MemStoreFlusher",
                y_description: "regions or handlers",
                columns: &FLUSHER,
                limits: handlers("hbase.hstore.flusher.count", "flush handlers"),
                missing_notes: &[],
            },
        )?;
        count_panel(
            &areas[1],
            self.folder,
            CountPanel {
                caption: "RPC server",
                y_description: "calls or handlers",
                columns: &RPC,
                limits: handlers("hbase.regionserver.handler.count", "RPC handlers"),
                missing_notes: &[],
            },
        )?;
        Ok(())
    }
}

/// The flusher chart.
pub fn chart(folder: &ResultFolder) -> Chart {
    render(
        "flusher",
        &title(folder, "Flushes and handlers"),
        &FlusherFigure { folder },
    )
}
