//! Reads a real Apache HBase / Hadoop configuration file (`hbase-site.xml`, `core-site.xml`, …)
//! so that `--site` can import its properties, each with the line and column it came from.
//!
//! The rules follow what `org.apache.hadoop.conf.Configuration` does when it loads one resource
//! (its StAX `Parser`, `loadProperty` and the typed getters such as `getInt`), because a
//! simulator that reads a site file differently from HBase would simulate a different server:
//!
//! - The root element must be `<configuration>`. Hadoop only logs a wrong root (older releases)
//!   or does not look at it at all (current ones); it is an error here because a file with
//!   another root is almost certainly not a Hadoop configuration file.
//! - A `<property>` is read wherever it appears below the root, outside another `<property>`,
//!   because Hadoop's streaming parser reacts to the element wherever it meets it. This covers
//!   a `<configuration>` nested inside `<configuration>`, which older, DOM-based releases also
//!   read in place.
//! - Each `<property>` takes `name`, `value` and `final` from its attributes first and then from
//!   its child elements, in document order, so a child element overrides an attribute and a later
//!   child overrides an earlier one. Elements are matched by their local name, ignoring any
//!   namespace prefix, as Hadoop's parser does.
//! - The text of `<name>` or `<value>` is all the text inside the element, CDATA sections
//!   included and comments left out; entities such as `&amp;` are decoded by the XML parser.
//! - Names are trimmed. Hadoop trims a `<name>` element but not a `name` attribute; both are
//!   trimmed here because Hadoop trims the name on every lookup, so an untrimmed name could
//!   never be read back. Values are trimmed too: Hadoop stores the untrimmed text, but every
//!   typed getter that HBase uses for sizes, counts, times and flags (`getInt`, `getLong`,
//!   `getFloat`, `getBoolean`, …) reads it through `getTrimmed`, so the trimmed text is what the
//!   server acts on. Trimming follows Java's `String.trim()`: characters up to U+0020 are
//!   removed from both ends, and other Unicode spaces are kept.
//! - `final` is true only for the exact text `true`, since Hadoop compares with
//!   `"true".equals(...)` without trimming or ignoring case.
//! - A `<value>` element with no text (`<value/>`) or a property with no value at all is not a
//!   value to Hadoop: it sets nothing and does not replace an earlier value of the same name.
//!   hbase-default.xml uses such empty values to mean "use the default computed in code". Such a
//!   property is still returned, with an empty value, when nothing else sets the name, and the
//!   caller treats an empty value as unset. A `value=""` attribute and a value of only spaces
//!   are values to Hadoop; they replace earlier ones and trim to the empty string.
//! - A name defined more than once yields one entry: the last value wins, unless an earlier
//!   occurrence was final, in which case later values are ignored, exactly as `loadProperty`
//!   does within one file. The entry's position is that of the `<property>` whose value won, and
//!   entries come in document order of those positions.
//! - Other children of `<property>` (`<description>`, `<source>`, `<tag>`, anything unknown) and
//!   other elements outside properties are ignored, as current Hadoop ignores them without a
//!   warning (older, DOM-based releases logged "bad conf file: element not <property>"); a misspelt
//!   `<proprety>` is therefore dropped silently, as it would be by HBase.
//!
//! Left out on purpose:
//!
//! - XInclude. Any element named `include` (such as `<xi:include href="…"/>`) is an error asking
//!   for the included file to be inlined, since the simulator has no classpath or base URL from
//!   which to resolve it, and silently skipping it would lose settings.
//! - Variable expansion. Values containing `${var}` are returned as written, because Hadoop
//!   expands them on every read from the whole configuration and the system properties, which
//!   this module does not have.
//! - Deprecated names. Hadoop copies the value of a deprecated name to its replacement; names
//!   are returned here as written and the caller's property table decides what they mean.
//! - A `<property>` without a name is an error here, while Hadoop skips it silently, because
//!   such a property can only be a mistake.
//!
//! A DOCTYPE with an internal subset is accepted, and roxmltree expands its entities. The work
//! is bounded before it starts: a file is at most `SITE_BYTES_MAX`, and so is its text with its
//! entity references expanded (`entities.rs` finds that before parsing), and elements nest at
//! most `SITE_NESTING_MAX` deep; a file past a limit is refused, naming it. Positions are 1-based; lines are counted by `\n` and
//! columns in characters, the same way roxmltree reports the positions of syntax errors, and a
//! leading byte order mark is not counted.

mod entities;

use std::collections::{HashMap, HashSet};

/// The largest site file, and the most text it may become with its entity references expanded:
/// HBase's own hbase-default.xml is under 100 KB.
pub const SITE_BYTES_MAX: u64 = 4 << 20;

/// The deepest elements may nest: a site file nests three levels (configuration, property,
/// name), or a few more with a nested configuration.
pub const SITE_NESTING_MAX: usize = 100;

/// One `<property>` of a Hadoop configuration file, after "last wins unless final".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteProperty {
    /// The trimmed name.
    pub name: String,
    /// The trimmed value; empty when the file gives no value, which the caller reads as unset.
    pub value: String,
    /// Whether any occurrence of the name was marked `<final>true</final>`.
    pub final_: bool,
    /// 1-based line of the `<property>` element that supplied the value.
    pub line: u32,
    /// 1-based column, in characters, of that `<property>` element's `<`.
    pub column: u32,
}

/// Why a site file could not be read; each message starts with `path:line:column`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SiteError {
    /// The text is not well-formed XML.
    #[error("{path}:{line}:{column}: not well-formed xml: {message}")]
    Malformed {
        path: String,
        line: u32,
        column: u32,
        message: String,
    },
    /// The root element is not `<configuration>`.
    #[error("{path}:{line}:{column}: the root element is <{found}>, expected <configuration>")]
    WrongRoot {
        path: String,
        line: u32,
        column: u32,
        found: String,
    },
    /// A `<property>` has neither a `name` attribute nor a non-blank `<name>` element.
    #[error("{path}:{line}:{column}: <property> has no <name>")]
    MissingName {
        path: String,
        line: u32,
        column: u32,
    },
    /// The text with its entity references expanded is larger than `SITE_BYTES_MAX`.
    #[error(
        "{path}: with its entity references expanded it is larger than {}, the most a site file may hold (reference entities less, or write their values out)",
        super::units::format_size(*.limit_bytes)
    )]
    TooLarge { path: String, limit_bytes: u64 },
    /// Elements nest deeper than `SITE_NESTING_MAX`.
    #[error(
        "{path}:{line}:{column}: elements nest more than {limit} deep, the most a site file may"
    )]
    TooDeep {
        path: String,
        line: u32,
        column: u32,
        limit: usize,
    },
    /// The file uses XInclude, which is not supported.
    #[error("{path}:{line}:{column}: xinclude is not supported: inline the included file")]
    XInclude {
        path: String,
        line: u32,
        column: u32,
    },
}

/// Parses the text of a Hadoop configuration file. `display_path` is used only in error messages.
pub fn parse_site_xml(text: &str, display_path: &str) -> Result<Vec<SiteProperty>, SiteError> {
    // Files saved by some editors start with a byte order mark; it is not part of the XML and
    // should not shift the columns of line 1.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if entities::expanded_bytes(text) > SITE_BYTES_MAX {
        return Err(SiteError::TooLarge {
            path: display_path.to_string(),
            limit_bytes: SITE_BYTES_MAX,
        });
    }
    let lines = Lines::new(text);
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options)
        .map_err(|error| malformed(&error, &lines, display_path))?;

    if let Some(deep) = first_too_deep(document.root()) {
        let (line, column) = lines.position(deep.range().start);
        return Err(SiteError::TooDeep {
            path: display_path.to_string(),
            line,
            column,
            limit: SITE_NESTING_MAX,
        });
    }
    let root = document.root_element();
    if root.tag_name().name() != "configuration" {
        let (line, column) = lines.position(root.range().start);
        return Err(SiteError::WrongRoot {
            path: display_path.to_string(),
            line,
            column,
            found: root.tag_name().name().to_string(),
        });
    }
    // Hadoop acts on an `include` element wherever it appears, so one anywhere would have
    // brought in settings that this reader cannot see.
    if let Some(include) = root
        .descendants()
        .find(|node| node.is_element() && node.tag_name().name() == "include")
    {
        let (line, column) = lines.position(include.range().start);
        return Err(SiteError::XInclude {
            path: display_path.to_string(),
            line,
            column,
        });
    }

    let mut occurrences = Vec::new();
    // An explicit stack of child iterators keeps the properties in document order without
    // recursion, so deep nesting cannot overflow the call stack.
    let mut stack = vec![root.children()];
    while let Some(children) = stack.last_mut() {
        let Some(node) = children.next() else {
            stack.pop();
            continue;
        };
        if !node.is_element() {
            continue;
        }
        match node.tag_name().name() {
            "property" => {
                occurrences.push(read_property(node).ok_or_else(|| {
                    let (line, column) = lines.position(node.range().start);
                    SiteError::MissingName {
                        path: display_path.to_string(),
                        line,
                        column,
                    }
                })?);
            }
            // Hadoop finds a <property> inside any other element, most usefully inside a
            // nested <configuration>, so every other element is searched.
            _ => stack.push(node.children()),
        }
    }
    Ok(merge(occurrences, &lines))
}

/// The first element nested deeper than `SITE_NESTING_MAX`, in document order, found with an
/// explicit stack of child iterators (as below) so that the depth costs no call stack.
fn first_too_deep<'a, 'input>(
    document: roxmltree::Node<'a, 'input>,
) -> Option<roxmltree::Node<'a, 'input>> {
    let mut stack = vec![document.children()];
    while let Some(children) = stack.last_mut() {
        match children.next() {
            None => {
                stack.pop();
            }
            // An element met here is `stack.len()` deep.
            Some(node) if node.is_element() => {
                if stack.len() > SITE_NESTING_MAX {
                    return Some(node);
                }
                stack.push(node.children());
            }
            Some(_) => {}
        }
    }
    None
}

/// One `<property>` as written, before duplicates are resolved.
struct Occurrence {
    name: String,
    /// The untrimmed value, or `None` where Hadoop would see no value at all.
    value: Option<String>,
    final_: bool,
    /// Byte offset of the `<property>` element's `<`.
    offset: usize,
}

/// Reads one `<property>`; `None` means it has no usable name.
fn read_property(property: roxmltree::Node<'_, '_>) -> Option<Occurrence> {
    let mut name = None;
    let mut value = None;
    let mut final_ = false;
    // Attributes come first because Hadoop reads them at the start tag, before any child.
    for attribute in property.attributes() {
        match attribute.name() {
            "name" => name = Some(java_trim(attribute.value()).to_string()),
            // An attribute is a value even when empty, unlike an empty element.
            "value" => value = Some(attribute.value().to_string()),
            "final" => final_ = attribute.value() == "true",
            _ => {}
        }
    }
    for child in property.children().filter(roxmltree::Node::is_element) {
        match child.tag_name().name() {
            "name" => {
                let text = element_text(child);
                if !text.is_empty() {
                    name = Some(java_trim(&text).to_string());
                }
            }
            "value" => {
                let text = element_text(child);
                if !text.is_empty() {
                    value = Some(text);
                }
            }
            "final" => final_ = element_text(child) == "true",
            _ => {}
        }
    }
    let name = name.filter(|name| !name.is_empty())?;
    Some(Occurrence {
        name,
        value,
        final_,
        offset: property.range().start,
    })
}

/// Applies Hadoop's `loadProperty` rules to the occurrences in document order.
fn merge(occurrences: Vec<Occurrence>, lines: &Lines<'_>) -> Vec<SiteProperty> {
    let mut entries: Vec<(usize, SiteProperty)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut finals: HashSet<String> = HashSet::new();
    for occurrence in occurrences {
        let (line, column) = lines.position(occurrence.offset);
        let existing = index.get(&occurrence.name).copied();
        match (existing, occurrence.value) {
            (Some(at), Some(value)) if !finals.contains(&occurrence.name) => {
                let (offset, property) = &mut entries[at];
                *offset = occurrence.offset;
                property.value = java_trim(&value).to_string();
                property.line = line;
                property.column = column;
            }
            (None, value) => {
                index.insert(occurrence.name.clone(), entries.len());
                entries.push((
                    occurrence.offset,
                    SiteProperty {
                        name: occurrence.name.clone(),
                        value: value.map_or_else(String::new, |v| java_trim(&v).to_string()),
                        final_: false,
                        line,
                        column,
                    },
                ));
            }
            // A later occurrence without a value, or one overriding a final name, changes
            // nothing, as in Hadoop.
            _ => {}
        }
        // A final flag counts even on an occurrence whose value is ignored, because Hadoop
        // records it unconditionally.
        if occurrence.final_ {
            finals.insert(occurrence.name);
        }
    }
    for (_, property) in &mut entries {
        property.final_ = finals.contains(&property.name);
    }
    entries.sort_by_key(|(offset, _)| *offset);
    entries.into_iter().map(|(_, property)| property).collect()
}

/// All text inside an element, as Hadoop's parser collects it: text and CDATA of the element and
/// of anything nested in it, without comments or processing instructions.
fn element_text(element: roxmltree::Node<'_, '_>) -> String {
    element
        .descendants()
        .filter(roxmltree::Node::is_text)
        .filter_map(|node| node.text())
        .collect()
}

/// Java's `String.trim()`: it removes every character up to U+0020, and nothing else.
fn java_trim(text: &str) -> &str {
    text.trim_matches(|c: char| c <= ' ')
}

/// Converts byte offsets into 1-based lines and character columns.
struct Lines<'a> {
    text: &'a str,
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self { text, starts }
    }

    fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        // `starts[0]` is 0, so at least one line starts at or before any offset.
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count())
            + 1;
        (saturate(line), saturate(column))
    }

    fn end(&self) -> (u32, u32) {
        self.position(self.text.len())
    }
}

/// Only a text of more than 4 GiB has positions beyond `u32`; saturating keeps it from panicking.
fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Turns a roxmltree error into [`SiteError::Malformed`] with a message in this module's style.
fn malformed(error: &roxmltree::Error, lines: &Lines<'_>, path: &str) -> SiteError {
    use roxmltree::Error as E;
    let message = match error {
        E::InvalidXmlPrefixUri(_) => "the xml prefix is bound to the wrong namespace uri".into(),
        E::UnexpectedXmlUri(_) => {
            "the xml namespace uri is bound to a prefix other than xml".into()
        }
        E::UnexpectedXmlnsUri(_) => "the xmlns namespace uri must not be declared".into(),
        E::InvalidElementNamePrefix(_) => "an element name cannot use the xmlns prefix".into(),
        E::DuplicatedNamespace(prefix, _) => {
            format!("namespace prefix '{prefix}' is declared twice")
        }
        E::UnknownNamespace(prefix, _) => format!("namespace prefix '{prefix}' is not declared"),
        E::UnexpectedCloseTag(expected, actual, _) => {
            format!("expected </{expected}>, found </{actual}>")
        }
        E::UnexpectedEntityCloseTag(_) => "an entity's value starts with a close tag".into(),
        E::UnknownEntityReference(name, _) => format!("unknown entity &{name};"),
        E::MalformedEntityReference(_) => "malformed entity reference (write & as &amp;)".into(),
        E::EntityReferenceLoop(_) => {
            "entities are nested too deeply or referenced too often".into()
        }
        E::InvalidAttributeValue(_) => "an attribute value contains '<' (write it as &lt;)".into(),
        E::DuplicatedAttribute(name, _) => format!("attribute '{name}' is given twice"),
        E::NoRootNode => "there is no root element".into(),
        E::UnclosedRootNode => "the root element is never closed".into(),
        E::UnexpectedDeclaration(_) => "an xml declaration is only allowed at the start".into(),
        E::DtdDetected => "a dtd is not allowed".into(),
        E::NodesLimitReached => "too many nodes".into(),
        E::AttributesLimitReached => "too many attributes".into(),
        E::NamespacesLimitReached => "too many namespaces".into(),
        E::InvalidName(_) => "invalid name".into(),
        E::NonXmlChar(c, _) => format!("character {c:?} is not allowed in xml"),
        E::InvalidChar(expected, actual, _) => format!(
            "expected {:?}, found {:?}",
            char::from(*expected),
            char::from(*actual)
        ),
        E::InvalidChar2(expected, actual, _) => {
            format!("expected {expected}, found {:?}", char::from(*actual))
        }
        E::InvalidString(expected, _) => format!("expected '{expected}'"),
        E::InvalidExternalID(_) => "invalid external id in the doctype".into(),
        E::EntityResolver(_, message) => format!("cannot resolve an external entity: {message}"),
        E::InvalidComment(_) => "a comment contains '--' or ends with '-'".into(),
        E::InvalidCharacterData(_) => "']]>' is not allowed in text".into(),
        E::UnknownToken(_) => "unexpected text where markup was expected".into(),
        E::UnexpectedEndOfStream => "the text ends inside markup".into(),
    };
    // These two have no position of their own in roxmltree; the end of the text is where the
    // missing part belongs.
    let (line, column) = match error {
        E::UnclosedRootNode | E::UnexpectedEndOfStream => lines.end(),
        _ => {
            let position = error.pos();
            (position.row, position.col)
        }
    };
    SiteError::Malformed {
        path: path.to_string(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "hbase-site.xml";

    fn parse(text: &str) -> Vec<SiteProperty> {
        match parse_site_xml(text, PATH) {
            Ok(properties) => properties,
            Err(error) => panic!("{error}"),
        }
    }

    fn parse_error(text: &str) -> SiteError {
        match parse_site_xml(text, PATH) {
            Ok(properties) => panic!("expected an error, got {properties:?}"),
            Err(error) => error,
        }
    }

    fn get<'p>(properties: &'p [SiteProperty], name: &str) -> &'p SiteProperty {
        properties
            .iter()
            .find(|property| property.name == name)
            .unwrap_or_else(|| panic!("no property {name} in {properties:?}"))
    }

    const SITE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="configuration.xsl"?>
<!--
  Licensed to the Apache Software Foundation (ASF).
-->
<configuration>
  <property>
    <name>hbase.rootdir</name>
    <value>hdfs://namenode:8020/hbase</value>
    <description>The directory shared by region servers &amp; the master.</description>
  </property>
  <property>
    <name>hbase.hregion.memstore.flush.size</name>
    <value>134217728</value>
    <final>true</final>
    <source>hbase-site.xml</source>
  </property>
  <!-- <property><name>hbase.commented.out</name><value>1</value></property> -->
  <property>
    <name>hbase.regionserver.handler.count</name>
    <value><![CDATA[30]]></value>
  </property>
  <property>
    <name>hbase.tmp.dir</name>
    <value>${java.io.tmpdir}/hbase-${user.name}</value>
  </property>
</configuration>
"#;

    #[test]
    fn reads_a_realistic_site_file() {
        let properties = parse(SITE);
        let expected = [
            ("hbase.rootdir", "hdfs://namenode:8020/hbase", false, 7),
            ("hbase.hregion.memstore.flush.size", "134217728", true, 12),
            ("hbase.regionserver.handler.count", "30", false, 19),
            (
                "hbase.tmp.dir",
                "${java.io.tmpdir}/hbase-${user.name}",
                false,
                23,
            ),
        ];
        let actual: Vec<_> = properties
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str(), p.final_, p.line))
            .collect();
        assert_eq!(actual, expected);
        assert!(properties.iter().all(|property| property.column == 3));
    }

    #[test]
    fn reads_the_attribute_form_and_lets_children_override_it() {
        let properties = parse(
            r#"<configuration>
<property name="a" value="1" final="true"/>
<property name="b" value="2"><value>3</value></property>
<property name="c" value=""/>
</configuration>"#,
        );
        assert_eq!(
            properties,
            [
                SiteProperty {
                    name: "a".into(),
                    value: "1".into(),
                    final_: true,
                    line: 2,
                    column: 1,
                },
                SiteProperty {
                    name: "b".into(),
                    value: "3".into(),
                    final_: false,
                    line: 3,
                    column: 1,
                },
                SiteProperty {
                    name: "c".into(),
                    value: String::new(),
                    final_: false,
                    line: 4,
                    column: 1,
                },
            ]
        );
    }

    #[test]
    fn last_definition_wins_unless_an_earlier_one_is_final() {
        let properties = parse(
            "<configuration>
  <property><name>a</name><value>1</value></property>
  <property><name>b</name><value>1</value><final>true</final></property>
  <property><name>a</name><value>2</value></property>
  <property><name>b</name><value>2</value></property>
  <property><name>c</name><value>1</value></property>
  <property><name>c</name><final>true</final></property>
  <property><name>c</name><value>3</value></property>
</configuration>",
        );
        let summary: Vec<_> = properties
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str(), p.final_, p.line))
            .collect();
        // Entries follow the position of the occurrence whose value won.
        assert_eq!(
            summary,
            [
                ("b", "1", true, 3),
                ("a", "2", false, 4),
                ("c", "1", true, 6)
            ]
        );
    }

    #[test]
    fn trims_names_and_values_like_java() {
        let properties = parse(
            "<configuration><property>
  <name>
    hbase.hstore.blockingStoreFiles
  </name>
  <value>\t 16 \r\n</value>
</property><property>
  <name>nbsp</name><value>\u{a0}x\u{a0}</value>
</property></configuration>",
        );
        assert_eq!(
            get(&properties, "hbase.hstore.blockingStoreFiles").value,
            "16"
        );
        // Java's trim keeps a no-break space, and so does this reader.
        assert_eq!(get(&properties, "nbsp").value, "\u{a0}x\u{a0}");
    }

    #[test]
    fn final_must_be_exactly_true() {
        let properties = parse(
            "<configuration>
<property><name>a</name><value>1</value><final> true </final></property>
<property><name>b</name><value>1</value><final>TRUE</final></property>
<property><name>c</name><value>1</value><final>true</final></property>
</configuration>",
        );
        let finals: Vec<_> = properties.iter().map(|p| p.final_).collect();
        assert_eq!(finals, [false, false, true]);
    }

    #[test]
    fn an_empty_value_is_kept_but_does_not_replace_a_value() {
        let properties = parse(
            "<configuration>
<property><name>hbase.regionserver.global.memstore.size</name><value/></property>
<property><name>no.value</name></property>
<property><name>set.then.empty</name><value>5</value></property>
<property><name>set.then.empty</name><value></value></property>
<property><name>set.then.blank</name><value>5</value></property>
<property><name>set.then.blank</name><value>  </value></property>
<property><name>empty.then.set</name><value/></property>
<property><name>empty.then.set</name><value>7</value></property>
</configuration>",
        );
        let values: Vec<_> = properties
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            values,
            [
                ("hbase.regionserver.global.memstore.size", ""),
                ("no.value", ""),
                ("set.then.empty", "5"),
                ("set.then.blank", ""),
                ("empty.then.set", "7"),
            ]
        );
    }

    #[test]
    fn handles_doctype_entities_namespaces_and_nesting() {
        let properties = parse(
            "\u{feff}<?xml version=\"1.0\"?>
<!DOCTYPE configuration [ <!ENTITY dir \"/data\"> ]>
<configuration xmlns:h=\"urn:example\">
  <property><name>a</name><value>&dir;/hbase &lt;1&gt; &#x41;</value></property>
  <configuration>
    <property><h:name>b</h:name><h:value>x<!-- note -->y</h:value></property>
  </configuration>
  <unknown><property><name>hidden</name><value>1</value></property></unknown>
  <property><name>c</name><value>1</value><tag>HBASE</tag><unknown>2</unknown></property>
</configuration>",
        );
        let values: Vec<_> = properties
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str(), p.line, p.column))
            .collect();
        assert_eq!(
            values,
            [
                ("a", "/data/hbase <1> A", 4, 3),
                ("b", "xy", 6, 5),
                ("hidden", "1", 8, 12),
                ("c", "1", 9, 3),
            ]
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let properties =
            parse("<configuration><!-- é€ --><property name='a' value='1'/></configuration>");
        assert_eq!((properties[0].line, properties[0].column), (1, 27));
    }

    #[test]
    fn an_empty_configuration_has_no_properties() {
        assert_eq!(parse("<configuration/>"), []);
        assert_eq!(
            parse("<?xml version='1.0'?>\n<configuration>\n</configuration>\n"),
            []
        );
    }

    #[test]
    fn malformed_xml_is_reported_with_its_position() {
        let error =
            parse_error("<configuration>\n  <property>\n    <name>a</name>\n  </configuration>\n");
        assert_eq!(
            error.to_string(),
            "hbase-site.xml:4:3: not well-formed xml: expected </property>, found </configuration>"
        );
        let error = parse_error(
            "<configuration>\n<property><name>a & b</name></property>\n</configuration>",
        );
        assert!(
            matches!(error, SiteError::Malformed { line: 2, .. }),
            "{error}"
        );
        let error = parse_error("<configuration>\n  <property>\n");
        assert_eq!(
            error.to_string(),
            "hbase-site.xml:3:1: not well-formed xml: the root element is never closed"
        );
    }

    #[test]
    fn empty_text_and_garbage_are_errors_not_panics() {
        for text in [
            "",
            "   \n",
            "\u{0}\u{1}garbage<<<",
            "not xml at all",
            "<a><b></a>",
            "<",
        ] {
            let error = parse_error(text);
            assert!(matches!(error, SiteError::Malformed { .. }), "{error}");
            assert!(error.to_string().starts_with("hbase-site.xml:"), "{error}");
        }
    }

    // Elements nested up to SITE_NESTING_MAX deep are read; one deeper is refused at its
    // position, naming the limit, however deep the file goes (20,000 here).
    #[test]
    fn nesting_is_bounded() {
        let nested = |depth: usize| {
            format!(
                "{}{}",
                "<configuration>".repeat(depth),
                "</configuration>".repeat(depth)
            )
        };
        assert_eq!(parse(&nested(SITE_NESTING_MAX)), []);
        for depth in [SITE_NESTING_MAX + 1, 20_000] {
            assert_eq!(
                parse_error(&nested(depth)),
                SiteError::TooDeep {
                    path: PATH.into(),
                    line: 1,
                    column: 15 * SITE_NESTING_MAX as u32 + 1,
                    limit: SITE_NESTING_MAX,
                }
            );
        }
    }

    // A small file whose entity is referenced many times (here 20 KB, an entity of 4000 bytes
    // referenced 5000 times: 20 MB expanded) is refused before the parser expands it, naming the
    // limit; the same entity referenced a few times is read.
    #[test]
    fn entity_expansion_is_bounded() {
        let site = |references: usize| {
            format!(
                "<!DOCTYPE configuration [ <!ENTITY e \"{}\"> ]>\n<configuration><property><name>a</name><value>{}</value></property></configuration>",
                "x".repeat(4000),
                "&e;".repeat(references)
            )
        };
        assert_eq!(parse(&site(3))[0].value.len(), 12_000);
        let error = parse_error(&site(5000));
        assert_eq!(
            error,
            SiteError::TooLarge {
                path: PATH.into(),
                limit_bytes: SITE_BYTES_MAX,
            }
        );
        assert!(error.to_string().contains("larger than 4MB"), "{error}");
    }

    #[test]
    fn a_wrong_root_is_an_error() {
        assert_eq!(
            parse_error("<?xml version=\"1.0\"?>\n<foo><property name=\"a\" value=\"1\"/></foo>"),
            SiteError::WrongRoot {
                path: PATH.into(),
                line: 2,
                column: 1,
                found: "foo".into(),
            }
        );
        assert_eq!(
            parse_error("<Configuration/>").to_string(),
            "hbase-site.xml:1:1: the root element is <Configuration>, expected <configuration>"
        );
    }

    #[test]
    fn a_property_without_a_name_is_an_error() {
        let text = "<configuration>\n  <property><value>1</value></property>\n</configuration>";
        assert_eq!(
            parse_error(text).to_string(),
            "hbase-site.xml:2:3: <property> has no <name>"
        );
        let blank =
            "<configuration>\n<property name=' '><name>\n</name><value>1</value></property>";
        let blank = format!("{blank}\n</configuration>");
        assert_eq!(
            parse_error(&blank),
            SiteError::MissingName {
                path: PATH.into(),
                line: 2,
                column: 1,
            }
        );
    }

    #[test]
    fn xinclude_is_an_error() {
        let text = r#"<configuration xmlns:xi="http://www.w3.org/2001/XInclude">
  <property><name>a</name><value>1</value></property>
  <xi:include href="hbase-extra.xml"><xi:fallback/></xi:include>
</configuration>"#;
        assert_eq!(
            parse_error(text).to_string(),
            "hbase-site.xml:3:3: xinclude is not supported: inline the included file"
        );
    }
}
