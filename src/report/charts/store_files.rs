//! The store-file chart: the most store files in one store against
//! hbase.hstore.blockingStoreFiles (above it, MemStoreFlusher puts flushes off for up to
//! hbase.hstore.blockingWaitTime), and the compaction queue and running compactions that bring
//! the count down. Before compactions are modelled their columns are absent and a note says so.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Chart;
use super::style::{DrawResult, Figure, Mark, render};
use super::timeline::{Column, CountPanel, count_panel, title};
use crate::report::result_reader::ResultFolder;

const COLUMNS: [Column<'static>; 4] = [
    Column {
        name: "store_files_max_per_store",
        label: "store files (largest store)",
        mark: Mark::Line,
    },
    Column {
        name: "compaction_queue_length",
        label: "compactions queued",
        mark: Mark::Line,
    },
    Column {
        name: "compactions_in_progress",
        label: "compactions running",
        mark: Mark::Line,
    },
    Column {
        name: "blocking_store_files",
        label: "blockingStoreFiles",
        mark: Mark::Dashed,
    },
];

struct StoreFilesFigure<'f> {
    folder: &'f ResultFolder,
}

impl Figure for StoreFilesFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, areas: &[DrawingArea<DB, Shift>]) -> DrawResult<(), DB> {
        count_panel(
            &areas[0],
            self.folder,
            CountPanel {
                caption: "Store files and compactions",
                y_description: "files or compactions",
                columns: &COLUMNS,
                limits: Vec::new(),
                missing_notes: &[(
                    &["compaction_queue_length", "compactions_in_progress"],
                    "compactions are not modelled in this run",
                )],
            },
        )?;
        Ok(())
    }
}

/// The store-file chart.
pub fn chart(folder: &ResultFolder) -> Chart {
    render(
        "store-files",
        &title(folder, "Store files"),
        &StoreFilesFigure { folder },
    )
}
