//! `region-names.csv`: every region a run had, split parents and merged ones included, by the
//! id the other files number it with (`events.csv`'s region column, `regions.csv`'s
//! `region_<id>` columns), with its table, its encoded name (the one its WAL entries, `wal dump`
//! and `wal split` give) and its key range [start, end) — the table's first region starts, and
//! its last ends, with the empty key, as hbase:meta has them.
//!
//! The CSV files keep the ids, so their readers go on working; what people read (report.html,
//! the charts' legends) names a region by its `label`: table, id and the start of its encoded
//! name, `usertable#3 (1f2e3d4c…)`, which `wal dump`'s full name begins with.
//!
//! Columns: `region,table,encoded_name,start_key,end_key`. A field holding a comma, a quote or
//! a line break is quoted as RFC 4180 does it (a row key's prefix may hold any character).

use std::collections::BTreeMap;

use crate::model::wal::names::RegionName;

/// The file's header line.
const HEADER: &str = "region,table,encoded_name,start_key,end_key";

/// What is wrong with the file, and on which line (1-based).
type ParseError = (usize, String);

/// A CSV record: the line it starts on, and its fields.
type Record = (usize, Vec<String>);

/// Hex digits of the encoded name a label shows.
const LABEL_HEX_DIGITS: usize = 8;

/// `region-names.csv` for `regions`, indexed by id.
pub fn region_names_csv(regions: &[RegionName]) -> String {
    let mut out = format!("{HEADER}\n");
    for (id, region) in regions.iter().enumerate() {
        let fields = [
            id.to_string(),
            quoted(&region.table),
            quoted(&region.encoded),
            quoted(&region.start_key),
            quoted(&region.end_key),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// A CSV field: as it is, or quoted with its quotes doubled if it holds a separator.
fn quoted(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// What a label needs of one region.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Named {
    table: String,
    encoded_name: String,
}

/// A folder's `region-names.csv` read back: the regions' names by id (none for a folder
/// written before the file was).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionNames {
    by_id: BTreeMap<u64, Named>,
}

impl RegionNames {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<RegionNames, ParseError> {
        let records = records(text)?;
        let mut rows = records.into_iter();
        match rows.next() {
            Some((_, header)) if header.join(",") == HEADER => {}
            _ => return Err((1, format!("the header is not {HEADER}"))),
        }
        let mut by_id = BTreeMap::new();
        for (line, fields) in rows {
            let [id, table, encoded_name, _start_key, _end_key] = <[String; 5]>::try_from(fields)
                .map_err(|fields| {
                (
                    line,
                    format!("{} fields where the header has 5", fields.len()),
                )
            })?;
            let id: u64 = id
                .parse()
                .map_err(|_| (line, format!("region \"{id}\" is not a number")))?;
            by_id.insert(
                id,
                Named {
                    table,
                    encoded_name,
                },
            );
        }
        Ok(RegionNames { by_id })
    }

    /// How people read region `id`: `usertable#3 (1f2e3d4c…)`, or `region 3` when the folder
    /// does not name it.
    pub fn label(&self, id: u64) -> String {
        match self.by_id.get(&id) {
            Some(named) => {
                let start: String = named.encoded_name.chars().take(LABEL_HEX_DIGITS).collect();
                format!("{}#{id} ({start}…)", named.table)
            }
            None => format!("region {id}"),
        }
    }
}

/// The records of a CSV text, each with the line it starts on; quoted fields may hold commas,
/// doubled quotes and line breaks.
fn records(text: &str) -> Result<Vec<Record>, ParseError> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let (mut line, mut record_line) = (1, 1);
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        match (in_quotes, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => in_quotes = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => in_quotes = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                records.push((record_line, std::mem::take(&mut fields)));
                record_line = line;
            }
            (false, c) => field.push(c),
        }
    }
    if in_quotes {
        return Err((record_line, "a quoted field is not closed".to_string()));
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((record_line, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(table: &str, encoded: &str, start_key: &str, end_key: &str) -> RegionName {
        RegionName {
            table: table.to_string(),
            encoded: encoded.to_string(),
            start_key: start_key.to_string(),
            end_key: end_key.to_string(),
        }
    }

    // Written and read back: ids in order, keys quoted when they hold a separator, labels
    // with the table, the id and the encoded name's first eight digits; an unnamed id (an
    // older folder) keeps the plain form.
    #[test]
    fn round_trip_and_labels() {
        let csv = region_names_csv(&[
            name("t", "0123456789abcdef0123456789abcdef", "", "a,\"b\"\nc"),
            name("t", "fedcba9876543210fedcba9876543210", "a,\"b\"\nc", ""),
        ]);
        assert_eq!(
            csv,
            "region,table,encoded_name,start_key,end_key\n\
             0,t,0123456789abcdef0123456789abcdef,,\"a,\"\"b\"\"\nc\"\n\
             1,t,fedcba9876543210fedcba9876543210,\"a,\"\"b\"\"\nc\",\n"
        );
        let names = RegionNames::parse(&csv).unwrap();
        assert_eq!(names.label(0), "t#0 (01234567…)");
        assert_eq!(names.label(1), "t#1 (fedcba98…)");
        assert_eq!(names.label(2), "region 2");
        assert_eq!(RegionNames::parse("region,table\n").unwrap_err().0, 1);
        assert_eq!(
            RegionNames::parse(&format!("{HEADER}\n0,t,x,,\nx,t,y,,\n")).unwrap_err(),
            (3, "region \"x\" is not a number".to_string())
        );
        assert_eq!(
            RegionNames::parse(&format!("{HEADER}\n0,\"t\n"))
                .unwrap_err()
                .0,
            2
        );
    }
}
