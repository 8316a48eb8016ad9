//! The protocol-buffers wire format, as far as HBase's WAL messages need it: writing proto2
//! fields in field-number order, and reading a message the way protobuf-java does, with its
//! errors told apart as HBase's reader tells them apart.
//!
//! Writing: varints (base 128, low bits first), tags (`field << 3 | wire type`), length-delimited
//! fields and messages (`writeDelimitedTo`: a varint32 length, then the message). Java's
//! generated `writeTo` emits known fields in ascending field number, which is what callers do.
//!
//! Reading (`parse_message`): the fields of one message in order, within a limit. What
//! protobuf-java throws, and when, matters to HBase (`ProtobufUtil.isEOF` looks for "input has
//! been truncated" in the message), so the errors are its `InvalidProtocolBufferException`
//! kinds: a field that runs past the limit is *truncated*; a zero tag, wire type 6 or 7, a varint
//! of more than ten bytes, a negative length and an end-group tag that does not match are not.
//! A field whose wire type is not the one its number is declared with is kept as an unknown
//! field, as the generated parsers do (`parseUnknownField`), and a group is skipped whole.
//! `Limit::Unknown` parses bytes cut short by a failing read: running out of them is then not
//! the message's fault but the stream's, reported as `PbError::NeedMore`.

use std::fmt;

/// Wire types.
pub const WIRE_VARINT: u8 = 0;
pub const WIRE_FIXED64: u8 = 1;
pub const WIRE_LENGTH_DELIMITED: u8 = 2;
pub const WIRE_START_GROUP: u8 = 3;
pub const WIRE_END_GROUP: u8 = 4;
pub const WIRE_FIXED32: u8 = 5;

/// The most bytes of a varint protobuf-java reads before calling it malformed.
const VARINT_BYTES_MAX: usize = 10;
/// How deep groups may nest (protobuf-java's default recursion limit).
const RECURSION_LIMIT: u32 = 100;

/// Appends `value` as a varint.
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The bytes of `value` as a varint.
pub fn varint_len(value: u64) -> u64 {
    u64::from((64 - (value | 1).leading_zeros()).div_ceil(7))
}

/// Appends a tag.
pub fn put_tag(out: &mut Vec<u8>, field: u32, wire_type: u8) {
    put_varint(out, u64::from(field) << 3 | u64::from(wire_type));
}

/// Appends a varint field.
pub fn put_varint_field(out: &mut Vec<u8>, field: u32, value: u64) {
    put_tag(out, field, WIRE_VARINT);
    put_varint(out, value);
}

/// Appends a bool field (a varint of 0 or 1).
pub fn put_bool_field(out: &mut Vec<u8>, field: u32, value: bool) {
    put_varint_field(out, field, u64::from(value));
}

/// Appends a bytes, string or embedded-message field.
pub fn put_bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_tag(out, field, WIRE_LENGTH_DELIMITED);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// The bytes of a varint field with a tag below 16 (one tag byte).
pub fn varint_field_len(value: u64) -> u64 {
    1 + varint_len(value)
}

/// The bytes of a length-delimited field of `length` bytes with a one-byte tag.
pub fn bytes_field_len(length: u64) -> u64 {
    1 + varint_len(length) + length
}

/// Why a message could not be read: protobuf-java's `InvalidProtocolBufferException`s, and
/// running out of bytes that a failing read cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PbError {
    /// "While parsing a protocol message, the input ended unexpectedly in the middle of a
    /// field. This could mean either that the input has been truncated or that an embedded
    /// message misreported its own length." (`truncatedMessage`)
    Truncated,
    /// "Protocol message contained an invalid tag (zero)."
    InvalidTag,
    /// "Protocol message tag had invalid wire type."
    InvalidWireType,
    /// "CodedInputStream encountered a malformed varint."
    MalformedVarint,
    /// "CodedInputStream encountered an embedded string or message which claimed to have
    /// negative size."
    NegativeSize,
    /// "Protocol message end-group tag did not match expected tag."
    InvalidEndTag,
    /// "Protocol message had too many levels of nesting."
    RecursionLimit,
    /// The bytes given ran out, and they were all there was before a read failed.
    NeedMore,
}

impl PbError {
    /// `ProtobufUtil.isEOF`: whether HBase takes this as the end of the file.
    pub fn is_truncation(self) -> bool {
        self == PbError::Truncated
    }
}

impl fmt::Display for PbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PbError::Truncated => "the input has been truncated (a field runs past the message)",
            PbError::InvalidTag => "invalid tag (zero)",
            PbError::InvalidWireType => "invalid wire type",
            PbError::MalformedVarint => "malformed varint",
            PbError::NegativeSize => "an embedded field claims a negative size",
            PbError::InvalidEndTag => "end-group tag did not match",
            PbError::RecursionLimit => "too many levels of nesting",
            PbError::NeedMore => "the bytes ended where a read failed",
        })
    }
}

/// A field's value as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValue<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    LengthDelimited(&'a [u8]),
    /// A group, skipped (no HBase WAL message has one).
    Group,
}

/// One field of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    pub number: u32,
    pub wire_type: u8,
    pub value: FieldValue<'a>,
}

/// Where a message's bytes end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The bytes given are the whole message: running out inside a field is a truncation.
    Exact,
    /// The bytes given were cut short by a failing read: running out is `NeedMore`.
    Unknown,
}

/// Reads fields from a byte slice.
#[derive(Debug, Clone)]
struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
    limit: Limit,
}

impl<'a> Reader<'a> {
    fn out_of_bytes(&self) -> PbError {
        match self.limit {
            Limit::Exact => PbError::Truncated,
            Limit::Unknown => PbError::NeedMore,
        }
    }

    fn at_end(&self) -> bool {
        self.position == self.bytes.len()
    }

    /// `readRawVarint64`.
    fn varint64(&mut self) -> Result<u64, PbError> {
        let mut value = 0u64;
        for index in 0..VARINT_BYTES_MAX {
            let Some(&byte) = self.bytes.get(self.position) else {
                return Err(self.out_of_bytes());
            };
            self.position += 1;
            value |= u64::from(byte & 0x7F) << (7 * index);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(PbError::MalformedVarint)
    }

    /// `readRawVarint32`: up to ten bytes, the upper ones discarded, as a Java int.
    fn varint32(&mut self) -> Result<i32, PbError> {
        Ok(self.varint64()? as u32 as i32)
    }

    fn take(&mut self, length: usize) -> Result<&'a [u8], PbError> {
        if self.bytes.len() - self.position < length {
            self.position = self.bytes.len();
            return Err(self.out_of_bytes());
        }
        let taken = &self.bytes[self.position..self.position + length];
        self.position += length;
        Ok(taken)
    }

    /// `readTag`: 0 at the end of a whole message; bytes cut short by a failed read end in
    /// the middle of the message, whatever comes next.
    fn tag(&mut self) -> Result<u32, PbError> {
        if self.at_end() {
            return match self.limit {
                Limit::Exact => Ok(0),
                Limit::Unknown => Err(PbError::NeedMore),
            };
        }
        let tag = self.varint32()? as u32;
        if tag >> 3 == 0 {
            return Err(PbError::InvalidTag);
        }
        Ok(tag)
    }

    /// Reads the value of a field with `tag`; `Ok(None)` for an end-group tag.
    fn value(&mut self, tag: u32, depth: u32) -> Result<Option<FieldValue<'a>>, PbError> {
        Ok(Some(match (tag & 7) as u8 {
            WIRE_VARINT => FieldValue::Varint(self.varint64()?),
            WIRE_FIXED64 => {
                let bytes = self.take(8)?;
                FieldValue::Fixed64(u64::from_le_bytes(bytes.try_into().expect("8 bytes")))
            }
            WIRE_LENGTH_DELIMITED => {
                let length = self.varint32()?;
                if length < 0 {
                    return Err(PbError::NegativeSize);
                }
                FieldValue::LengthDelimited(self.take(length as usize)?)
            }
            WIRE_START_GROUP => {
                if depth >= RECURSION_LIMIT {
                    return Err(PbError::RecursionLimit);
                }
                loop {
                    let inner = self.tag()?;
                    if inner == 0 {
                        return Err(PbError::Truncated);
                    }
                    if self.value(inner, depth + 1)?.is_none() {
                        if inner >> 3 != tag >> 3 {
                            return Err(PbError::InvalidEndTag);
                        }
                        break;
                    }
                }
                FieldValue::Group
            }
            WIRE_END_GROUP => return Ok(None),
            WIRE_FIXED32 => {
                let bytes = self.take(4)?;
                FieldValue::Fixed32(u32::from_le_bytes(bytes.try_into().expect("4 bytes")))
            }
            _ => return Err(PbError::InvalidWireType),
        }))
    }
}

/// The fields of the message in `bytes`, in order. A top-level end-group tag ends the message
/// and fails it (`checkLastTagWas(0)`), as protobuf-java's `parseFrom` and HBase's `mergeFrom`
/// both check.
pub fn parse_message(bytes: &[u8], limit: Limit) -> Result<Vec<Field<'_>>, PbError> {
    let mut reader = Reader {
        bytes,
        position: 0,
        limit,
    };
    let mut fields = Vec::new();
    loop {
        let tag = reader.tag()?;
        if tag == 0 {
            return Ok(fields);
        }
        match reader.value(tag, 0)? {
            Some(value) => fields.push(Field {
                number: tag >> 3,
                wire_type: (tag & 7) as u8,
                value,
            }),
            None => return Err(PbError::InvalidEndTag),
        }
    }
}

/// Reads a varint32 from the front of `bytes` as `readRawVarint32` does: the value (a Java
/// int) and the bytes it took, or why not.
pub fn read_varint32(bytes: &[u8], limit: Limit) -> Result<(i32, usize), PbError> {
    let mut reader = Reader {
        bytes,
        position: 0,
        limit,
    };
    let value = reader.varint32()?;
    Ok((value, reader.position))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Varints round-trip and have protobuf's lengths.
    #[test]
    fn varints() {
        for value in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            assert_eq!(out.len() as u64, varint_len(value));
            let (read, used) = read_varint32(&out, Limit::Exact).unwrap();
            assert_eq!(used, out.len());
            assert_eq!(read, value as u32 as i32);
        }
        let mut out = Vec::new();
        put_varint(&mut out, 300);
        assert_eq!(out, [0xAC, 0x02]);
    }

    // Fields read back in order; a wire type other than declared is just a field here (the
    // message decoder decides), groups are skipped.
    #[test]
    fn fields_read_back() {
        let mut out = Vec::new();
        put_bytes_field(&mut out, 1, b"abc");
        put_varint_field(&mut out, 3, 42);
        put_tag(&mut out, 5, WIRE_START_GROUP);
        put_varint_field(&mut out, 1, 7);
        put_tag(&mut out, 5, WIRE_END_GROUP);
        put_tag(&mut out, 6, WIRE_FIXED32);
        out.extend_from_slice(&9u32.to_le_bytes());
        let fields = parse_message(&out, Limit::Exact).unwrap();
        assert_eq!(fields.len(), 4);
        assert_eq!(fields[0].value, FieldValue::LengthDelimited(b"abc"));
        assert_eq!(fields[1].value, FieldValue::Varint(42));
        assert_eq!(fields[2].value, FieldValue::Group);
        assert_eq!(fields[3].value, FieldValue::Fixed32(9));
    }

    // Each malformation gives protobuf-java's error, and only running past the end is a
    // truncation.
    #[test]
    fn errors_are_protobuf_java_s() {
        let mut field = Vec::new();
        put_bytes_field(&mut field, 1, b"abcdef");
        assert_eq!(
            parse_message(&field[..5], Limit::Exact),
            Err(PbError::Truncated)
        );
        assert_eq!(
            parse_message(&field[..5], Limit::Unknown),
            Err(PbError::NeedMore)
        );
        assert_eq!(
            parse_message(&[0x00], Limit::Exact),
            Err(PbError::InvalidTag)
        );
        assert_eq!(
            parse_message(&[0x0E, 0x01], Limit::Exact),
            Err(PbError::InvalidWireType)
        );
        assert_eq!(
            parse_message(
                &[
                    0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01
                ],
                Limit::Exact
            ),
            Err(PbError::MalformedVarint)
        );
        assert_eq!(
            parse_message(&[0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], Limit::Exact),
            Err(PbError::NegativeSize)
        );
        assert_eq!(
            parse_message(&[0x0C], Limit::Exact),
            Err(PbError::InvalidEndTag)
        );
        assert_eq!(
            parse_message(&[0x0B, 0x14], Limit::Exact),
            Err(PbError::InvalidEndTag)
        );
        assert!(PbError::Truncated.is_truncation());
        assert!(!PbError::InvalidTag.is_truncation());
    }
}
