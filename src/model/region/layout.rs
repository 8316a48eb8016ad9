//! The key layout of each table and the cell layout of each workload, computed once per run:
//! row widths, qualifier ranks, and the key bytes of every (family, column) a workload writes.

use crate::model::client::buffered_mutator::mutation_heap_bytes;
use crate::model::client::request::{Action, Mutation};
use crate::model::compaction::policy::CompactionConfig;
use crate::model::config::ServerConfig;
use crate::model::region::hregion::TableLayout;
use crate::model::store::cell::{Cell, CellType, data_bytes};
use crate::scenario::Scenario;
use crate::scenario::properties::Source;
use crate::scenario::workload::{Durability, OpKind};

/// How one workload's operations turn into cells.
#[derive(Debug, Clone)]
pub struct ClientCells {
    pub table: usize,
    /// Indexes of the table's families the workload writes.
    pub families: Vec<usize>,
    /// Qualifier ranks of its columns field0, field1, ….
    pub qualifiers: Vec<u16>,
    /// [family position][column]: the cell's bytes other than the value, 20 + R + F + Q.
    pub key_bytes: Vec<Vec<u64>>,
    /// Per family position: a DeleteFamily marker's bytes (no qualifier, no value).
    pub delete_bytes: Vec<u64>,
    /// The durability its mutations get (USE_DEFAULT resolved through the table's to the server's).
    pub durability: Durability,
    /// Rows per batch request.
    pub batch_rows: u32,
}

impl ClientCells {
    /// The KeyValue bytes of one whole row the workload writes, with values of `value_bytes`:
    /// what a read of the row returns.
    pub fn row_bytes(&self, value_bytes: u64) -> u64 {
        self.key_bytes
            .iter()
            .flatten()
            .map(|key| key + value_bytes)
            .sum()
    }

    /// The cells one put of `row` writes in the workload's family at `position` (a cell per
    /// column), each with its KeyValue bytes, appended to `out`.
    pub fn put_cells(
        &self,
        position: usize,
        (timestamp_ms, sequence_id): (u64, u64),
        (row, value_bytes): (u64, u32),
        out: &mut Vec<(Cell, u64)>,
    ) {
        for (column, &qualifier) in self.qualifiers.iter().enumerate() {
            let cell = Cell {
                row,
                timestamp_ms,
                sequence_id,
                qualifier,
                cell_type: CellType::Put,
                value_bytes,
            };
            out.push((
                cell,
                self.key_bytes[position][column] + u64::from(value_bytes),
            ));
        }
    }

    /// The cells a mini-batch (its timestamp and sequence id, and each written action with its
    /// value bytes) writes in the workload's family at `position`, each with its KeyValue
    /// bytes, appended to `out`: the memstore and the WAL entry are built from the same list.
    pub fn family_cells(
        &self,
        position: usize,
        (timestamp_ms, sequence_id): (u64, u64),
        actions: impl Iterator<Item = (Action, u32)>,
        out: &mut Vec<(Cell, u64)>,
    ) {
        for (Action { mutation, row, .. }, value_bytes) in actions {
            let cell = |qualifier: u16, cell_type: CellType, value_bytes: u32| Cell {
                row,
                timestamp_ms,
                sequence_id,
                qualifier,
                cell_type,
                value_bytes,
            };
            match mutation {
                Mutation::Delete => {
                    let marker = cell(0, CellType::DeleteFamily, 0);
                    out.push((marker, self.delete_bytes[position]));
                }
                Mutation::Put => {
                    let version = (timestamp_ms, sequence_id);
                    self.put_cells(position, version, (row, value_bytes), out);
                }
                Mutation::Increment | Mutation::Append | Mutation::CheckAndPut => {
                    let bytes = self.key_bytes[position][0] + u64::from(value_bytes);
                    let qualifier = self.qualifiers[0];
                    out.push((cell(qualifier, CellType::Put, value_bytes), bytes));
                }
            }
        }
    }

    /// The client's heap-size estimate of one row's mutation (`Mutation.heapSize`), which a
    /// BufferedMutator's buffer and AsyncProcess's size limits count: a Put carries a cell per
    /// column per family, an Increment or Append one per family, a row Delete none.
    pub fn mutation_heap(&self, layout: &TableLayout, mutation: Mutation, value_bytes: u32) -> u64 {
        let value = u64::from(value_bytes);
        let cells: Vec<Vec<u64>> = match mutation {
            Mutation::Delete => Vec::new(),
            Mutation::Put => self
                .key_bytes
                .iter()
                .map(|columns| columns.iter().map(|key| key + value).collect())
                .collect(),
            Mutation::Increment | Mutation::Append | Mutation::CheckAndPut => self
                .key_bytes
                .iter()
                .map(|columns| vec![columns[0] + value])
                .collect(),
        };
        let families: Vec<(u64, &[u64])> = cells
            .iter()
            .zip(&self.families)
            .map(|(cells, &family)| (u64::from(layout.family_bytes[family]), cells.as_slice()))
            .collect();
        mutation_heap_bytes(u64::from(layout.row_bytes), &families)
    }
}

/// Decimal digits of the largest row index, the zero-padded width of row names.
pub fn row_digits(row_count: u64) -> u32 {
    let largest = row_count.saturating_sub(1);
    if largest == 0 {
        1
    } else {
        largest.ilog10() + 1
    }
}

/// Each table's layout: one row width and one sorted qualifier set per table (the scenario
/// checks that a table's workloads agree on the width), regions numbered across tables.
pub fn table_layouts(scenario: &Scenario) -> Vec<TableLayout> {
    let mut first_region = 0;
    scenario
        .tables
        .iter()
        .map(|table| {
            let workloads: Vec<_> = scenario
                .workloads
                .iter()
                .filter(|workload| workload.table == table.name)
                .collect();
            let row_count = workloads.iter().map(|w| w.keys.count).max().unwrap_or(1);
            let prefix_bytes = workloads.first().map_or(4, |w| w.keys.prefix.len()) as u32;
            let columns = workloads.iter().map(|w| w.columns).max().unwrap_or(0);
            let mut qualifiers: Vec<String> = (0..columns).map(|c| format!("field{c}")).collect();
            qualifiers.sort();
            let mut qualifier_bytes = vec![0u32];
            qualifier_bytes.extend(qualifiers.iter().map(|name| name.len() as u32));
            let read_modify_write = workloads.iter().any(|workload| {
                workload.mix.iter().any(|(kind, _)| {
                    matches!(
                        kind,
                        OpKind::Increment | OpKind::Append | OpKind::CheckAndPut
                    )
                })
            });
            let flush_size = scenario.flush_size_of(table);
            let region_map = TableLayout::even_split(row_count, table.regions)
                .into_iter()
                .zip(first_region..)
                .collect();
            let layout = TableLayout {
                name: table.name.clone(),
                row_bytes: prefix_bytes + row_digits(row_count),
                row_count,
                family_bytes: table.families.iter().map(|f| f.len() as u32).collect(),
                qualifier_bytes,
                region_map,
                flush_size_bytes: flush_size,
                tracks_values: read_modify_write,
                max_versions: table.versions,
                max_filesize: table.max_filesize,
                compaction_enabled: table.compaction_enabled,
                codec: table.codec,
                compaction: CompactionConfig::from_properties(&scenario.properties, flush_size),
                compaction_throttle_bytes: compaction_throttle(scenario, flush_size),
            };
            first_region += table.regions;
            layout
        })
        .collect()
}

/// hbase.regionserver.thread.compaction.throttle for a table's stores: as set, or by 1.4's rule
/// with the table's own flush size.
fn compaction_throttle(scenario: &Scenario, flush_size: u64) -> u64 {
    let name = "hbase.regionserver.thread.compaction.throttle";
    match scenario
        .properties
        .get(name)
        .map(|property| &property.source)
    {
        Some(Source::Derived(_)) => {
            2 * scenario.properties.bytes("hbase.hstore.compaction.max") * flush_size
        }
        _ => scenario.properties.bytes(name),
    }
}

/// The qualifier rank of column `column` among a table's sorted names "field0", "field1", ….
fn qualifier_rank(columns_in_table: u32, column: u32) -> u16 {
    let mut names: Vec<String> = (0..columns_in_table).map(|c| format!("field{c}")).collect();
    names.sort();
    let name = format!("field{column}");
    1 + names
        .iter()
        .position(|n| *n == name)
        .expect("column within the table's columns") as u16
}

/// Each workload's cell layout.
pub fn client_cells(
    scenario: &Scenario,
    config: &ServerConfig,
    tables: &[TableLayout],
) -> Vec<ClientCells> {
    scenario
        .workloads
        .iter()
        .map(|workload| {
            let table_index = scenario
                .tables
                .iter()
                .position(|table| table.name == workload.table)
                .expect("the scenario checked that the table exists");
            let table = &scenario.tables[table_index];
            let layout = &tables[table_index];
            let families: Vec<usize> = match &workload.families {
                Some(names) => names
                    .iter()
                    .map(|name| {
                        table
                            .families
                            .iter()
                            .position(|f| f == name)
                            .expect("checked family")
                    })
                    .collect(),
                None => (0..table.families.len()).collect(),
            };
            let columns_in_table = (layout.qualifier_bytes.len() - 1) as u32;
            let qualifiers: Vec<u16> = (0..workload.columns)
                .map(|column| qualifier_rank(columns_in_table, column))
                .collect();
            let key_bytes = families
                .iter()
                .map(|&family| {
                    qualifiers
                        .iter()
                        .map(|&qualifier| data_bytes(layout.shape(family, qualifier), 0))
                        .collect()
                })
                .collect();
            let delete_bytes = families
                .iter()
                .map(|&family| data_bytes(layout.shape(family, 0), 0))
                .collect();
            let durability = match (workload.durability, table.durability) {
                (Durability::UseDefault, Durability::UseDefault) => config.default_durability,
                (Durability::UseDefault, table_durability) => table_durability,
                (own, _) => own,
            };
            ClientCells {
                table: table_index,
                families,
                qualifiers,
                key_bytes,
                delete_bytes,
                durability,
                batch_rows: workload.batch_rows,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_widths() {
        assert_eq!(row_digits(1), 1);
        assert_eq!(row_digits(10), 1);
        assert_eq!(row_digits(11), 2);
        assert_eq!(row_digits(10_000_000), 7);
    }

    // Qualifiers sort as bytes: field10 comes before field2.
    #[test]
    fn qualifier_ranks_follow_byte_order() {
        assert_eq!(qualifier_rank(11, 0), 1);
        assert_eq!(qualifier_rank(11, 1), 2);
        assert_eq!(qualifier_rank(11, 10), 3);
        assert_eq!(qualifier_rank(11, 2), 4);
    }
}
