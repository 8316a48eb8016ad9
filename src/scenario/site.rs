//! Reading a real Hadoop/HBase configuration file (`hbase-site.xml`) for `--site`.
//!
//! Follows Hadoop's `Configuration` where it matters for importing values: the root element is
//! `<configuration>`; each `<property>` has `<name>`, `<value>` and optionally `<final>` (as
//! child elements or, as Hadoop also accepts, attributes); other children such as
//! `<description>` and `<source>` are ignored; names and values are trimmed; the last
//! definition of a name wins unless an earlier one was final. An empty `<value/>` is kept as an
//! empty string, which the caller reads as "unset", as hbase-default.xml uses it. Left out on
//! purpose: XInclude (an error asks to inline the file) and `${var}` expansion (values are
//! returned as written).

use std::fmt;

/// One property of the file, after "last wins unless final".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteProperty {
    pub name: String,
    pub value: String,
    pub final_: bool,
    /// Position of the `<property>` element, 1-based, columns in characters.
    pub line: u32,
    pub column: u32,
}

/// Why a site file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteError {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for SiteError {}

/// Parses the text of a Hadoop configuration file; `display_path` names it in errors.
pub fn parse_site_xml(text: &str, display_path: &str) -> Result<Vec<SiteProperty>, SiteError> {
    let error_at = |position: roxmltree::TextPos, message: String| SiteError {
        path: display_path.to_string(),
        line: position.row,
        column: position.col,
        message,
    };
    let document = roxmltree::Document::parse(text).map_err(|error| {
        let message = error.to_string();
        let message = message
            .split(" at ")
            .next()
            .unwrap_or(&message)
            .to_lowercase();
        error_at(error.pos(), format!("not well-formed XML: {message}"))
    })?;
    let root = document.root_element();
    let position = |node: roxmltree::Node<'_, '_>| document.text_pos_at(node.range().start);
    if root.tag_name().name() != "configuration" {
        return Err(error_at(
            position(root),
            format!(
                "the root element is <{}>, expected <configuration>",
                root.tag_name().name()
            ),
        ));
    }
    let mut properties: Vec<SiteProperty> = Vec::new();
    for element in root.children().filter(roxmltree::Node::is_element) {
        match element.tag_name().name() {
            "property" => {}
            "include" => {
                return Err(error_at(
                    position(element),
                    "XInclude is not supported: inline the included file".to_string(),
                ));
            }
            // Hadoop logs and skips anything else at this level.
            _ => continue,
        }
        let child_text = |tag: &str| {
            element
                .children()
                .find(|child| child.is_element() && child.tag_name().name() == tag)
                .map(|child| {
                    child
                        .descendants()
                        .filter(roxmltree::Node::is_text)
                        .filter_map(|text| text.text())
                        .collect::<String>()
                })
        };
        let field = |tag: &str| {
            element
                .attribute(tag)
                .map(str::to_string)
                .or_else(|| child_text(tag))
        };
        let at = position(element);
        let name = field("name").map(|name| name.trim().to_string());
        let Some(name) = name.filter(|name| !name.is_empty()) else {
            return Err(error_at(at, "<property> has no <name>".to_string()));
        };
        let value = field("value").map(|value| value.trim().to_string());
        let Some(value) = value else {
            return Err(error_at(at, format!("property {name} has no <value>")));
        };
        let final_ = field("final").is_some_and(|flag| flag.trim() == "true");
        let property = SiteProperty {
            name,
            value,
            final_,
            line: at.row,
            column: at.col,
        };
        match properties
            .iter_mut()
            .find(|existing| existing.name == property.name)
        {
            Some(existing) if existing.final_ => {}
            Some(existing) => *existing = property,
            None => properties.push(property),
        }
    }
    Ok(properties)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = r#"<?xml version="1.0"?>
<?xml-stylesheet type="text/xsl" href="configuration.xsl"?>
<!-- a comment -->
<configuration>
  <property>
    <name>hbase.hregion.memstore.flush.size</name>
    <value> 268435456 </value>
    <description>256 MB &amp; more</description>
  </property>
  <property name="hbase.hstore.flusher.count" value="4"/>
  <property>
    <name>hbase.rootdir</name>
    <value><![CDATA[hdfs://nn:8020/hbase]]></value>
    <final>true</final>
  </property>
  <property>
    <name>hbase.rootdir</name>
    <value>file:///tmp</value>
  </property>
  <property>
    <name>hbase.hstore.flusher.count</name>
    <value>6</value>
  </property>
  <property>
    <name>hbase.regionserver.global.memstore.size</name>
    <value/>
  </property>
</configuration>
"#;

    // Elements and attributes, trimming, CDATA, entities, final, last-wins, empty values.
    #[test]
    fn reads_a_realistic_file() {
        let properties = parse_site_xml(SITE, "hbase-site.xml").unwrap();
        let get = |name: &str| properties.iter().find(|p| p.name == name).unwrap();
        assert_eq!(properties.len(), 4);
        let flush = get("hbase.hregion.memstore.flush.size");
        assert_eq!(flush.value, "268435456");
        assert_eq!((flush.line, flush.column), (5, 3));
        assert_eq!(get("hbase.hstore.flusher.count").value, "6");
        assert_eq!(get("hbase.rootdir").value, "hdfs://nn:8020/hbase");
        assert!(get("hbase.rootdir").final_);
        assert_eq!(get("hbase.regionserver.global.memstore.size").value, "");
    }

    #[test]
    fn errors_name_the_position() {
        let error =
            parse_site_xml("<configuration>\n<property>\n</configuration>", "s.xml").unwrap_err();
        assert_eq!((error.path.as_str(), error.line), ("s.xml", 3));
        assert!(error.to_string().starts_with("s.xml:3:"), "{error}");
        assert!(error.message.contains("not well-formed"), "{error}");
        let error = parse_site_xml("<conf/>", "s.xml").unwrap_err();
        assert_eq!(
            error.to_string(),
            "s.xml:1:1: the root element is <conf>, expected <configuration>"
        );
        let error = parse_site_xml(
            "<configuration>\n  <property><value>1</value></property>\n</configuration>",
            "s.xml",
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "s.xml:2:3: <property> has no <name>");
        let error = parse_site_xml(
            "<configuration xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"a.xml\"/></configuration>",
            "s.xml",
        )
        .unwrap_err();
        assert!(error.message.contains("XInclude is not supported"));
        assert!(parse_site_xml("", "s.xml").is_err());
        assert!(parse_site_xml("\u{0}\u{1}garbage<<<", "s.xml").is_err());
    }
}
