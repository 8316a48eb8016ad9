//! The bytes a WAL entry names its cells with, and back: a table's name, its families,
//! qualifiers and row keys, and each region's encoded name.
//!
//! The model keeps a cell's row as an index and its qualifier as a rank; a WAL entry holds the
//! bytes HBase would (`prefix` + the zero-padded index, `field<N>`, the family's name), so
//! that the files read as HBase's would and a split can route them by name alone. Replay turns
//! them back with the same table's names; a name that no longer parses (a region's table
//! changed shape) is refused as HBase refuses a cell with no such family.

use crate::model::region::hregion::{RegionId, TableLayout};
use crate::model::region::layout::row_digits;
use crate::scenario::Scenario;
use crate::sim::stable_hash::{fnv1a64, splitmix64_mix};

/// One table's names as bytes.
#[derive(Debug, Clone)]
pub struct TableNames {
    pub name: Vec<u8>,
    pub families: Vec<Vec<u8>>,
    /// By qualifier rank; rank 0 is the empty qualifier.
    pub qualifiers: Vec<Vec<u8>>,
    row_prefix: Vec<u8>,
    row_digits: usize,
}

impl TableNames {
    /// Every table's names, in the scenario's order.
    pub fn for_scenario(scenario: &Scenario, layouts: &[TableLayout]) -> Vec<TableNames> {
        scenario
            .tables
            .iter()
            .zip(layouts)
            .map(|(table, layout)| {
                let prefix = scenario
                    .workloads
                    .iter()
                    .find(|workload| workload.table == table.name)
                    .map_or("user".to_string(), |workload| workload.keys.prefix.clone());
                let columns = (layout.qualifier_bytes.len() - 1) as u32;
                let mut names: Vec<String> = (0..columns).map(|c| format!("field{c}")).collect();
                names.sort();
                let mut qualifiers = vec![Vec::new()];
                qualifiers.extend(names.into_iter().map(String::into_bytes));
                TableNames {
                    name: table.name.clone().into_bytes(),
                    families: table
                        .families
                        .iter()
                        .map(|f| f.clone().into_bytes())
                        .collect(),
                    qualifiers,
                    row_prefix: prefix.into_bytes(),
                    row_digits: row_digits(layout.row_count) as usize,
                }
            })
            .collect()
    }

    /// Writes row `row`'s key into `out` (cleared first).
    pub fn write_row(&self, row: u64, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(&self.row_prefix);
        let start = out.len();
        out.resize(start + self.row_digits, b'0');
        let mut rest = row;
        for digit in out[start..].iter_mut().rev() {
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
    }

    /// The row index a key names, if it is one of this table's keys.
    pub fn parse_row(&self, key: &[u8]) -> Option<u64> {
        let digits = key.strip_prefix(self.row_prefix.as_slice())?;
        if digits.len() != self.row_digits || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        digits.iter().try_fold(0u64, |row, digit| {
            row.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
        })
    }

    pub fn family_index(&self, family: &[u8]) -> Option<usize> {
        self.families.iter().position(|name| name == family)
    }

    pub fn qualifier_rank(&self, qualifier: &[u8]) -> Option<u16> {
        self.qualifiers
            .iter()
            .position(|name| name == qualifier)
            .map(|rank| rank as u16)
    }
}

/// A region's names as people and HBase's tools see them: its table, its encoded name (as its
/// WAL entries and `wal dump` give it) and the keys of its rows [start, end), the table's first
/// region starting and its last ending with the empty key, as hbase:meta has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionName {
    pub table: String,
    pub encoded: String,
    pub start_key: String,
    pub end_key: String,
}

impl TableNames {
    /// The names of region `region`, holding rows [start_row, end_row) of the table's
    /// `row_count` (the last region's end is past them all).
    pub fn region_name(
        &self,
        region: RegionId,
        start_row: u64,
        end_row: u64,
        row_count: u64,
    ) -> RegionName {
        let key = |row: u64| {
            let mut key = Vec::new();
            self.write_row(row, &mut key);
            String::from_utf8_lossy(&key).into_owned()
        };
        RegionName {
            table: String::from_utf8_lossy(&self.name).into_owned(),
            encoded: String::from_utf8_lossy(&encoded_region_name(&self.name, region)).into_owned(),
            start_key: if start_row == 0 {
                String::new()
            } else {
                key(start_row)
            },
            end_key: if end_row >= row_count {
                String::new()
            } else {
                key(end_row)
            },
        }
    }
}

/// A region's encoded name: 32 hex digits, as HBase's MD5 of the region name, here derived
/// from the table and the region's id.
pub fn encoded_region_name(table: &[u8], region: RegionId) -> Vec<u8> {
    let base = fnv1a64(table);
    let high = splitmix64_mix(base ^ u64::from(region));
    let low = splitmix64_mix(high ^ 0x9e37_79b9_7f4a_7c15);
    format!("{high:016x}{low:016x}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Row keys are the prefix and the zero-padded index, and parse back; foreign keys do not.
    #[test]
    fn rows_round_trip() {
        let names = TableNames {
            name: b"t".to_vec(),
            families: vec![b"cf".to_vec()],
            qualifiers: vec![Vec::new(), b"field0".to_vec()],
            row_prefix: b"user".to_vec(),
            row_digits: 7,
        };
        let mut key = Vec::new();
        names.write_row(42, &mut key);
        assert_eq!(key, b"user0000042");
        assert_eq!(names.parse_row(&key), Some(42));
        assert_eq!(names.parse_row(b"user42"), None);
        assert_eq!(names.parse_row(b"item0000042"), None);
        assert_eq!(names.family_index(b"cf"), Some(0));
        assert_eq!(names.qualifier_rank(b"field0"), Some(1));
        assert_eq!(names.qualifier_rank(b""), Some(0));
        assert_eq!(encoded_region_name(b"t", 3).len(), 32);
        assert_ne!(encoded_region_name(b"t", 3), encoded_region_name(b"t", 4));
        // A region's keys: empty at the table's ends, its first row's key otherwise.
        let first = names.region_name(3, 0, 500, 1000);
        assert_eq!(
            (first.start_key.as_str(), first.end_key.as_str()),
            ("", "user0000500")
        );
        assert_eq!(first.encoded.as_bytes(), encoded_region_name(b"t", 3));
        let last = names.region_name(4, 500, u64::MAX, 1000);
        assert_eq!(
            (
                last.table.as_str(),
                last.start_key.as_str(),
                last.end_key.as_str()
            ),
            ("t", "user0000500", "")
        );
    }
}
