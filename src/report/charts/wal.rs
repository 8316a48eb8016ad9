//! The WAL chart: WAL files against hbase.regionserver.maxlogs (above it, the oldest regions are
//! flushed so that files can be archived), and WAL syncs in flight (group commit at work).
//! Before WAL files are modelled their columns are absent and a note says so.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Chart;
use super::style::{DrawResult, Figure, Mark, render};
use super::timeline::{Column, CountPanel, count_panel, title};
use crate::report::result_reader::ResultFolder;

const COLUMNS: [Column<'static>; 3] = [
    Column {
        name: "wal_files",
        label: "WAL files",
        mark: Mark::Line,
    },
    Column {
        name: "wal_syncs_in_flight",
        label: "syncs in flight",
        mark: Mark::Line,
    },
    Column {
        name: "wal_max_logs",
        label: "maxlogs",
        mark: Mark::Dashed,
    },
];

struct WalFigure<'f> {
    folder: &'f ResultFolder,
}

impl Figure for WalFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, areas: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB> {
        count_panel(
            &areas[0],
            self.folder,
            CountPanel {
                caption: "Write-ahead log",
                y_description: "files or syncs",
                columns: &COLUMNS,
                limits: Vec::new(),
                missing_notes: &[(&["wal_files"], "WAL files are not modelled in this run")],
            },
        )?;
        Ok(())
    }
}

/// The WAL chart.
pub fn chart(folder: &ResultFolder) -> Chart {
    render("wal", &title(folder, "WAL"), &WalFigure { folder })
}
