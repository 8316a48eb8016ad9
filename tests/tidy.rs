//! House rules that a reader relies on: every source file says what it models, and
//! ARCHITECTURE.md's code map names every module under `src/model/`.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

fn source_files() -> Vec<PathBuf> {
    let mut found = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    found.sort();
    found
}

// Every file under src/ opens with a `//!` comment (what it models, which HBase class it
// mirrors, what it leaves out); a file without one fails here by name.
#[test]
fn every_source_file_opens_with_its_doc_comment() {
    let undocumented: Vec<String> = source_files()
        .into_iter()
        .filter(|path| !std::fs::read_to_string(path).unwrap().starts_with("//!"))
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        undocumented.is_empty(),
        "files without a //! opening: {undocumented:?}"
    );
}

/// The backticked file names in `text`, with `dir/{a,b}.rs` expanded to `dir/a.rs`, `dir/b.rs`.
fn named_files(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for quoted in text.split('`').skip(1).step_by(2) {
        match (quoted.find('{'), quoted.find('}')) {
            (Some(open), Some(close)) if open < close => {
                for part in quoted[open + 1..close].split(',') {
                    names.push(format!("{}{part}{}", &quoted[..open], &quoted[close + 1..]));
                }
            }
            _ => names.push(quoted.to_string()),
        }
    }
    names
}

// Every module file under src/model/ (by its path below src/model/, as the code map writes
// it) appears in ARCHITECTURE.md, so a module that arrives or moves moves the map with it.
// The folders' root files (`wal.rs` beside `wal/`) introduce their folders and are exempt.
#[test]
fn architecture_names_every_model_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let named = named_files(&architecture);
    let model = root.join("src/model");
    let missing: Vec<String> = source_files()
        .into_iter()
        .filter(|path| path.starts_with(&model))
        .filter(|path| {
            !(path.parent() == Some(model.as_path()) && path.with_extension("").is_dir())
        })
        .map(|path| path.strip_prefix(&model).unwrap().display().to_string())
        .filter(|name| !named.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "modules missing from ARCHITECTURE.md's code map: {missing:?}"
    );
}
