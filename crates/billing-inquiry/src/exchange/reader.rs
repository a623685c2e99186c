//! Reading a bill exchange file as a stream: quick-xml's pull parser over a buffered file,
//! one event at a time, with the line and column of every element, and nothing kept but the
//! record being read.
//!
//! The file is read twice. [`check`] reads it through without keeping anything, refusing
//! what is not well-formed XML 1.0 in UTF-8 with one `<customerBills>` root, and refusing any
//! DTD (`<!DOCTYPE`: internal entities could expand to gigabytes — "billion laughs" — and
//! external ones read files or URLs) and any entity reference but XML's five and character
//! references; so a broken file is refused, and nothing imported (the import keeps what it
//! writes uncommitted until the check has passed). [`Records`] then
//! yields each child of the root as an [`Element`] tree: a `<customerBill>` with its rates
//! apart ([`Record::Bill`]). Memory stays flat: one token (a tag, a text, a comment) is at
//! most [`MAX_TOKEN`] bytes, elements nest at most [`MAX_DEPTH`] deep, a record holds at most
//! [`MAX_ELEMENTS`] elements besides its rates, and a bill at most [`MAX_RATES`] rates (a
//! larger one is skipped, and rejected).

use std::io::{BufRead, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// The root element.
pub(crate) const ROOT: &str = "customerBills";
/// A bill, with its rates and payments: one record of the file.
pub(crate) const BILL: &str = "customerBill";
/// A rate, inside its bill.
pub(crate) const RATE: &str = "appliedCustomerBillingRate";
/// The longest token (a tag with its attributes, a text, a comment), in bytes.
pub(crate) const MAX_TOKEN: usize = 1024 * 1024;
/// The deepest nesting of elements.
pub(crate) const MAX_DEPTH: usize = 16;
/// The most elements of a record (a bill without its rates, or one rate).
pub(crate) const MAX_ELEMENTS: usize = 10_000;
/// The most rates of one bill (a bill and its rates are imported as one unit, so they are
/// held together).
pub(crate) const MAX_RATES: usize = 20_000;

/// A place in the file: line and column (in characters), both from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    /// The line.
    pub line: u64,
    /// The column, in characters.
    pub column: u64,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a file is refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fatal {
    /// Where, when the file was read that far.
    pub at: Option<Pos>,
    /// Why.
    pub message: String,
}

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.at {
            Some(at) => write!(f, "{at}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl Fatal {
    fn at(at: Pos, message: impl Into<String>) -> Self {
        Self {
            at: Some(at),
            message: message.into(),
        }
    }
}

/// A buffered reader that knows the line and column of what it has handed out: the bytes
/// consumed since the last [`mark`](Tracked::mark) (one token) are kept, to place anything
/// within the token, and refused beyond [`MAX_TOKEN`].
pub(crate) struct Tracked<R> {
    inner: R,
    /// Bytes consumed before the mark.
    offset: u64,
    /// The line and column at the mark.
    at: Pos,
    /// The bytes consumed since the mark.
    token: Vec<u8>,
    /// Bytes consumed, for progress.
    consumed: Arc<AtomicU64>,
}

impl<R: BufRead> Tracked<R> {
    pub(crate) fn new(inner: R, consumed: Arc<AtomicU64>) -> Self {
        Self {
            inner,
            offset: 0,
            at: Pos { line: 1, column: 1 },
            token: Vec::new(),
            consumed,
        }
    }

    /// Moves the mark to what has been consumed (the start of the next token).
    fn mark(&mut self) {
        self.at = advance(self.at, &self.token);
        self.offset += self.token.len() as u64;
        self.consumed.store(self.offset, Ordering::Relaxed);
        self.token.clear();
    }

    /// The place of the byte `offset`, which must be at or after the mark.
    fn place(&self, offset: u64) -> Pos {
        let within = usize::try_from(offset.saturating_sub(self.offset)).unwrap_or(usize::MAX);
        advance(self.at, &self.token[..within.min(self.token.len())])
    }
}

/// `at`, moved past `bytes` (UTF-8: a column counts characters, not continuation bytes).
fn advance(mut at: Pos, bytes: &[u8]) -> Pos {
    match memchr::memrchr(b'\n', bytes) {
        Some(last) => {
            at.line += memchr::memchr_iter(b'\n', &bytes[..=last]).count() as u64;
            at.column = 1 + characters(&bytes[last + 1..]);
        }
        None => at.column += characters(bytes),
    }
    at
}

fn characters(bytes: &[u8]) -> u64 {
    // Tags and most texts are ASCII, checked a word at a time.
    if bytes.is_ascii() {
        return bytes.len() as u64;
    }
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64
}

impl<R: BufRead> Read for Tracked<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.token.len() > MAX_TOKEN {
            return Err(std::io::Error::other(format!(
                "a single tag, text or comment is longer than {} MiB",
                MAX_TOKEN / (1024 * 1024)
            )));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(available) = self.inner.fill_buf() {
            let n = amount.min(available.len());
            self.token.extend_from_slice(&available[..n]);
        }
        self.inner.consume(amount);
    }
}

/// An element of a record: its name, attributes (values unescaped and normalised), text
/// (entity and character references resolved), children, and where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    pub at: Pos,
}

impl Element {
    /// The value of the attribute `name`.
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A child of the root.
#[derive(Debug)]
pub(crate) enum Record {
    /// A bill (its `appliedCustomerBillingRate` children apart, in `rates`), or why it was
    /// skipped (too many rates or elements: neither kept).
    Bill {
        bill: Element,
        rates: Vec<Element>,
        refused: Option<(Pos, String)>,
    },
    /// An element the format does not know.
    Other { name: String, at: Pos },
}

/// What the pull parser yields, simplified: owned when `keep` is asked.
enum Token {
    Start {
        name: String,
        attributes: Vec<(String, String)>,
        empty: bool,
        at: Pos,
    },
    End,
    Text(String),
    Eof,
}

/// The event reader shared by both passes: quick-xml over a [`Tracked`] file, with the
/// checks of the format's well-formedness.
pub(crate) struct Source<R: BufRead> {
    reader: Reader<Tracked<R>>,
    buf: Vec<u8>,
    state: State,
}

/// Where the reader is in the document.
#[derive(Debug, Default)]
struct State {
    depth: usize,
    open: Vec<String>,
    started: bool,
    root_seen: bool,
    root_closed: bool,
}

impl<R: BufRead> Source<R> {
    pub(crate) fn new(inner: R, consumed: Arc<AtomicU64>) -> Self {
        let mut reader = Reader::from_reader(Tracked::new(inner, consumed));
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        Self {
            reader,
            buf: Vec::new(),
            state: State::default(),
        }
    }

    /// The next token; attributes and texts are only kept when `keep` is set (the first
    /// pass checks them without keeping them).
    fn next(&mut self, keep: bool) -> Result<Token, Fatal> {
        loop {
            self.reader.get_mut().mark();
            let start = self.reader.buffer_position();
            let at = self.reader.get_ref().place(start);
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(error) => {
                    let place = self.reader.get_ref().place(self.reader.error_position());
                    return Err(Fatal::at(place, format!("not well-formed XML: {error}")));
                }
            };
            let first = !std::mem::replace(&mut self.state.started, true);
            match event {
                Event::Decl(decl) => {
                    if !first {
                        return Err(Fatal::at(at, "an XML declaration must come first"));
                    }
                    if let Some(encoding) = decl.encoding() {
                        let encoding = encoding
                            .map_err(|e| Fatal::at(at, format!("not well-formed XML: {e}")))?;
                        let name = String::from_utf8_lossy(&encoding).to_ascii_uppercase();
                        if name != "UTF-8" && name != "UTF8" {
                            return Err(Fatal::at(
                                at,
                                format!(
                                    "the file declares the encoding '{}': it must be UTF-8",
                                    String::from_utf8_lossy(&encoding)
                                ),
                            ));
                        }
                    }
                    let version = decl
                        .version()
                        .map_err(|e| Fatal::at(at, format!("not well-formed XML: {e}")))?;
                    if version.as_ref() != b"1.0" {
                        return Err(Fatal::at(
                            at,
                            format!(
                                "XML version {} is not accepted: the format is XML 1.0",
                                String::from_utf8_lossy(&version)
                            ),
                        ));
                    }
                }
                Event::DocType(_) => {
                    return Err(Fatal::at(
                        at,
                        "a DTD (<!DOCTYPE ...>) is refused: the format declares no entities, and a DTD could expand entities without bound (billion laughs) or read external ones",
                    ));
                }
                Event::PI(_) | Event::Comment(_) => {}
                Event::Start(element) => {
                    return self.state.start(&element, at, false, keep);
                }
                Event::Empty(element) => {
                    return self.state.start(&element, at, true, keep);
                }
                Event::End(_) => {
                    self.state.depth -= 1;
                    self.state.open.pop();
                    if self.state.depth == 0 {
                        self.state.root_closed = true;
                    }
                    return Ok(Token::End);
                }
                Event::Text(text) => {
                    let content = text
                        .xml10_content()
                        .map_err(|e| Fatal::at(at, format!("not UTF-8 text: {e}")))?;
                    if self.state.depth <= 1 && !content.trim().is_empty() {
                        return Err(Fatal::at(
                            at,
                            format!(
                                "text outside any record ('{}'): the file holds elements only",
                                content.trim().chars().take(40).collect::<String>()
                            ),
                        ));
                    }
                    if keep && self.state.depth > 1 {
                        return Ok(Token::Text(content.into_owned()));
                    }
                }
                Event::CData(text) => {
                    let content = text
                        .xml10_content()
                        .map_err(|e| Fatal::at(at, format!("not UTF-8 text: {e}")))?;
                    if self.state.depth <= 1 {
                        return Err(Fatal::at(at, "character data outside any record"));
                    }
                    if keep {
                        return Ok(Token::Text(content.into_owned()));
                    }
                }
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        Ok(None) => {
                            let name = String::from_utf8_lossy(&reference).into_owned();
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(text) => text.chars().next().unwrap_or(' '),
                                None => {
                                    return Err(Fatal::at(
                                        at,
                                        format!(
                                            "the entity '&{name};' is not declared: the format uses no entities but XML's five (&lt; &gt; &amp; &apos; &quot;) and character references"
                                        ),
                                    ));
                                }
                            }
                        }
                        Err(error) => {
                            return Err(Fatal::at(at, format!("not well-formed XML: {error}")));
                        }
                    };
                    if self.state.depth <= 1 {
                        return Err(Fatal::at(at, "a reference outside any record"));
                    }
                    if keep {
                        return Ok(Token::Text(resolved.to_string()));
                    }
                }
                Event::Eof => {
                    if let Some(open) = self.state.open.last() {
                        return Err(Fatal::at(at, format!("the file ends inside <{open}>")));
                    }
                    if !self.state.root_seen {
                        return Err(Fatal::at(
                            at,
                            format!("no <{ROOT}> element: not a bill file"),
                        ));
                    }
                    return Ok(Token::Eof);
                }
            }
        }
    }
}

impl State {
    fn start(
        &mut self,
        element: &BytesStart<'_>,
        at: Pos,
        empty: bool,
        keep: bool,
    ) -> Result<Token, Fatal> {
        let name = String::from_utf8(element.name().as_ref().to_vec())
            .map_err(|_| Fatal::at(at, "an element name is not UTF-8"))?;
        if self.depth == 0 {
            if self.root_closed {
                return Err(Fatal::at(at, format!("a second root element <{name}>")));
            }
            if name != ROOT {
                return Err(Fatal::at(
                    at,
                    format!("the root element is <{name}>, not <{ROOT}>: not a bill file"),
                ));
            }
            self.root_seen = true;
        }
        if self.depth >= MAX_DEPTH {
            return Err(Fatal::at(
                at,
                format!("elements nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        let mut attributes = Vec::new();
        for attribute in element.attributes() {
            let attribute =
                attribute.map_err(|e| Fatal::at(at, format!("not well-formed XML: {e}")))?;
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| match e {
                    quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(
                        _,
                        entity,
                    )) => Fatal::at(
                        at,
                        format!(
                            "the entity '&{entity};' is not declared: the format uses no entities but XML's five and character references"
                        ),
                    ),
                    other => Fatal::at(at, format!("not well-formed XML: {other}")),
                })?;
            if keep || self.depth == 0 {
                let key = String::from_utf8(attribute.key.as_ref().to_vec())
                    .map_err(|_| Fatal::at(at, "an attribute name is not UTF-8"))?;
                attributes.push((key, value.into_owned()));
            }
        }
        if self.depth == 0 {
            self.check_root(&attributes, at)?;
        }
        if !empty {
            self.depth += 1;
            self.open.push(name.clone());
        } else if self.depth == 0 {
            self.root_closed = true;
        }
        Ok(Token::Start {
            name,
            attributes,
            empty,
            at,
        })
    }

    fn check_root(&self, attributes: &[(String, String)], at: Pos) -> Result<(), Fatal> {
        for (name, value) in attributes {
            match name.as_str() {
                "version" if value == "1" => {}
                "version" => {
                    return Err(Fatal::at(
                        at,
                        format!("<{ROOT} version=\"{value}\">: this server reads version 1"),
                    ));
                }
                "xmlns:xsi" | "xsi:noNamespaceSchemaLocation" => {}
                other => {
                    return Err(Fatal::at(
                        at,
                        format!(
                            "<{ROOT}> has an unknown attribute '{other}' (it takes 'version' and schema hints)"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Reads the whole file through, keeping nothing: `Ok` with the number of bills when it is a
/// well-formed bill file, else why not (and where).
pub(crate) fn check<R: BufRead>(inner: R, consumed: Arc<AtomicU64>) -> Result<u64, Fatal> {
    let mut source = Source::new(inner, consumed);
    let mut bills = 0;
    loop {
        match source.next(false)? {
            Token::Start { name, .. } if source.state.depth == 2 && name == BILL => bills += 1,
            Token::Eof => return Ok(bills),
            _ => {}
        }
    }
}

/// The records of a file (checked beforehand by [`check`]), one at a time.
pub(crate) struct Records<R: BufRead> {
    source: Source<R>,
}

impl<R: BufRead> Records<R> {
    pub(crate) fn new(inner: R, consumed: Arc<AtomicU64>) -> Self {
        Self {
            source: Source::new(inner, consumed),
        }
    }

    /// The next record, `None` at the end of the file.
    pub(crate) fn next_record(&mut self) -> Result<Option<Record>, Fatal> {
        loop {
            match self.source.next(true)? {
                Token::Eof => return Ok(None),
                Token::End | Token::Text(_) => {}
                Token::Start {
                    name,
                    attributes,
                    empty,
                    at,
                } => {
                    // The root.
                    if self.source.state.depth <= 1 && name == ROOT {
                        continue;
                    }
                    if name != BILL {
                        if !empty {
                            self.skip()?;
                        }
                        return Ok(Some(Record::Other { name, at }));
                    }
                    return self.bill(attributes, empty, at).map(Some);
                }
            }
        }
    }

    fn bill(
        &mut self,
        attributes: Vec<(String, String)>,
        empty: bool,
        at: Pos,
    ) -> Result<Record, Fatal> {
        let mut bill = Element {
            name: BILL.to_owned(),
            attributes,
            at,
            ..Element::default()
        };
        let mut rates = Vec::new();
        let mut refused = None;
        let mut elements = 1;
        if empty {
            return Ok(Record::Bill {
                bill,
                rates,
                refused,
            });
        }
        loop {
            match self.source.next(true)? {
                Token::End => break,
                Token::Eof => return Err(Fatal::at(at, "the file ends inside a bill")),
                Token::Text(text) => {
                    if refused.is_none() {
                        bill.text.push_str(&text);
                    }
                }
                Token::Start {
                    name,
                    attributes,
                    empty,
                    at: child_at,
                } => {
                    let mut count = 1;
                    let child = self.element(name, attributes, empty, child_at, &mut count)?;
                    if refused.is_some() {
                        continue;
                    }
                    if child.name == RATE {
                        if count > MAX_ELEMENTS {
                            refused = Some((
                                child_at,
                                format!("a rate holds more than {MAX_ELEMENTS} elements"),
                            ));
                        } else if rates.len() >= MAX_RATES {
                            refused = Some((
                                child_at,
                                format!(
                                    "the bill has more than {MAX_RATES} rates, the most one bill may hold in a file (a bill and its rates are imported together)"
                                ),
                            ));
                        } else {
                            rates.push(child);
                        }
                    } else {
                        elements += count;
                        if elements > MAX_ELEMENTS {
                            refused = Some((
                                child_at,
                                format!(
                                    "the bill holds more than {MAX_ELEMENTS} elements besides its rates"
                                ),
                            ));
                        } else {
                            bill.children.push(child);
                        }
                    }
                    if refused.is_some() {
                        bill.children.clear();
                        bill.text.clear();
                        rates = Vec::new();
                    }
                }
            }
        }
        Ok(Record::Bill {
            bill,
            rates,
            refused,
        })
    }

    /// The element that starts with this token, read to its end; `count` adds up its
    /// elements, and past [`MAX_ELEMENTS`] the rest is read without being kept.
    fn element(
        &mut self,
        name: String,
        attributes: Vec<(String, String)>,
        empty: bool,
        at: Pos,
        count: &mut usize,
    ) -> Result<Element, Fatal> {
        let mut element = Element {
            name,
            attributes,
            at,
            ..Element::default()
        };
        if empty {
            return Ok(element);
        }
        loop {
            match self.source.next(true)? {
                Token::End => return Ok(element),
                Token::Eof => return Err(Fatal::at(at, "the file ends inside an element")),
                Token::Text(text) => {
                    if *count <= MAX_ELEMENTS {
                        element.text.push_str(&text);
                    }
                }
                Token::Start {
                    name,
                    attributes,
                    empty,
                    at,
                } => {
                    *count += 1;
                    let child = self.element(name, attributes, empty, at, count)?;
                    if *count <= MAX_ELEMENTS {
                        element.children.push(child);
                    }
                }
            }
        }
    }

    /// Reads past the end of the element just started, keeping nothing.
    fn skip(&mut self) -> Result<(), Fatal> {
        let mut depth = 1;
        while depth > 0 {
            match self.source.next(false)? {
                Token::Start { empty: false, .. } => depth += 1,
                Token::End => depth -= 1,
                Token::Eof => {
                    return Err(Fatal::at(Pos::default(), "the file ends inside an element"));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(xml: &str) -> Result<Vec<Record>, Fatal> {
        check(xml.as_bytes(), Arc::default())?;
        let mut records = Records::new(xml.as_bytes(), Arc::default());
        let mut out = Vec::new();
        while let Some(record) = records.next_record()? {
            out.push(record);
        }
        Ok(out)
    }

    fn refused(xml: &str) -> Fatal {
        check(xml.as_bytes(), Arc::default()).expect_err("refused")
    }

    #[test]
    fn bills_come_with_their_rates_apart_and_their_places() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<customerBills>\n  <customerBill billNo=\"B&amp;1\">\n    <amountDue currency=\"EUR\">1&#46;50</amountDue>\n    <appliedCustomerBillingRate externalId=\"R-1\"/>\n    <appliedCustomerBillingRate externalId=\"R-2\">\n      <taxIncludedAmount currency=\"EUR\"><![CDATA[0.50]]></taxIncludedAmount>\n    </appliedCustomerBillingRate>\n  </customerBill>\n  <!-- a comment --><other a=\"1\"><x/></other>\n  <customerBill billNo=\"é\"/></customerBills>\n";
        let records = records(xml).expect("a well-formed file");
        assert_eq!(records.len(), 3);
        let Record::Bill {
            bill,
            rates,
            refused,
        } = &records[0]
        else {
            panic!("a bill");
        };
        assert!(refused.is_none());
        assert_eq!(bill.attribute("billNo"), Some("B&1"));
        assert_eq!(bill.at, Pos { line: 3, column: 3 });
        assert_eq!(bill.children[0].name, "amountDue");
        assert_eq!(bill.children[0].text, "1.50");
        assert_eq!(bill.children[0].at, Pos { line: 4, column: 5 });
        assert_eq!(rates.len(), 2);
        assert_eq!(rates[1].at, Pos { line: 6, column: 5 });
        assert_eq!(rates[1].children[0].text, "0.50");
        let Record::Other { name, at } = &records[1] else {
            panic!("another element");
        };
        assert_eq!(
            (name.as_str(), *at),
            (
                "other",
                Pos {
                    line: 10,
                    column: 21
                }
            )
        );
        let Record::Bill { bill, .. } = &records[2] else {
            panic!("a bill");
        };
        assert_eq!(bill.attribute("billNo"), Some("é"));
        assert_eq!(
            bill.at,
            Pos {
                line: 11,
                column: 3
            }
        );
    }

    #[test]
    fn columns_count_characters_and_tags_may_span_lines() {
        let xml = "<customerBills><customerBill billNo=\"ü\"\n   category=\"x\"/><customerBill billNo=\"2\"/></customerBills>";
        let records = records(xml).expect("well-formed");
        let Record::Bill { bill, .. } = &records[1] else {
            panic!("a bill");
        };
        assert_eq!(
            bill.at,
            Pos {
                line: 2,
                column: 18
            }
        );
    }

    #[test]
    fn a_dtd_is_refused_before_anything_else() {
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n<customerBills><customerBill billNo=\"&lol2;\"/></customerBills>";
        let refused = refused(laughs);
        assert_eq!(refused.at, Some(Pos { line: 2, column: 1 }));
        assert!(refused.message.contains("DTD"), "{refused}");
        let external = "<!DOCTYPE customerBills SYSTEM \"file:///etc/passwd\"><customerBills/>";
        assert!(refused_message(external).contains("DTD"));
    }

    fn refused_message(xml: &str) -> String {
        refused(xml).to_string()
    }

    #[test]
    fn undeclared_entities_are_refused() {
        let text =
            refused("<customerBills><customerBill><x>&lol;</x></customerBill></customerBills>");
        assert!(text.message.contains("'&lol;' is not declared"), "{text}");
        let attribute = refused("<customerBills><customerBill billNo=\"&lol;\"/></customerBills>");
        assert!(
            attribute.message.contains("'&lol;' is not declared"),
            "{attribute}"
        );
        assert_eq!(
            attribute.at,
            Some(Pos {
                line: 1,
                column: 16
            })
        );
    }

    #[test]
    fn malformed_files_are_refused_with_their_place() {
        for (xml, expected, line) in [
            (
                "<customerBills>\n<customerBill>\n</customerBils>\n</customerBills>",
                "not well-formed",
                3,
            ),
            (
                "<customerBills>\n<customerBill billNo=\"1>\n</customerBills>",
                "not well-formed",
                2,
            ),
            (
                "<customerBills>\n<customerBill>",
                "ends inside <customerBill>",
                2,
            ),
            ("<bills/>", "not <customerBills>", 1),
            ("<customerBills/>\n<customerBills/>", "second root", 2),
            (
                "<customerBills>x</customerBills>",
                "text outside any record",
                1,
            ),
            (
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><customerBills/>",
                "must be UTF-8",
                1,
            ),
            (
                "<customerBills><customerBill a=\"1\" a=\"2\"/></customerBills>",
                "not well-formed",
                1,
            ),
            ("", "no <customerBills>", 1),
            (
                "<customerBills>\n<customerBill>\u{0}</customerBill></customerBills>",
                "",
                2,
            ),
        ] {
            let Err(refused) = check(xml.as_bytes(), Arc::default()) else {
                if expected.is_empty() {
                    continue;
                }
                panic!("{xml:?} is refused");
            };
            assert!(refused.message.contains(expected), "{xml:?}: {refused}");
            assert_eq!(
                refused.at.map(|at| at.line),
                Some(line),
                "{xml:?}: {refused}"
            );
        }
    }

    #[test]
    fn nesting_and_token_sizes_are_bounded() {
        let deep = format!(
            "<customerBills>{}{}</customerBills>",
            "<a>".repeat(20),
            "</a>".repeat(20)
        );
        assert!(refused(&deep).message.contains("nest deeper"));
        let long = format!(
            "<customerBills><customerBill billNo=\"{}\"/></customerBills>",
            "x".repeat(MAX_TOKEN + 100_000)
        );
        let buffered = std::io::BufReader::with_capacity(8192, long.as_bytes());
        let refused = check(buffered, Arc::default()).expect_err("refused");
        assert!(refused.message.contains("longer than"), "{refused}");
    }
}
