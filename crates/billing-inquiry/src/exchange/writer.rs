//! Writing a bill exchange file as a stream: quick-xml's writer over any `Write`, one bill
//! (with its rates) at a time, in the format the import reads ([`super::format`]).
//!
//! A stored bill is written without what the server owns or derives from its place: `id`,
//! `href` and `lastUpdate` of the bill; `id`, `href`, `bill` and `isBilled` of a rate (it is
//! inside its bill) and its `billingAccount` when it is the bill's; `@type` when it is the
//! resource's own. Attribute values keep line breaks and tabs as character references, so
//! that a description reads back as it was.

use std::borrow::Cow;
use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use serde_json::{Map, Value as Json};

use super::format::{self, Content, PROPERTY, Shape};
use super::reader::{BILL, RATE, ROOT};

/// A file being written.
pub(crate) struct BillWriter<W: Write> {
    writer: Writer<W>,
}

impl<W: Write> std::fmt::Debug for BillWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillWriter").finish_non_exhaustive()
    }
}

/// `value` escaped for an attribute: XML's five, and line breaks, tabs and other control
/// characters as character references (a parser would turn them into spaces otherwise).
fn escape_attribute(value: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '&' => out.extend_from_slice(b"&amp;"),
            '"' => out.extend_from_slice(b"&quot;"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("&#{};", c as u32).as_bytes()),
            c => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out
}

fn start<'a>(name: &'a str, attributes: &'a [(&'a str, String)]) -> BytesStart<'a> {
    let mut start = BytesStart::new(name);
    for (key, value) in attributes {
        start.push_attribute(Attribute {
            key: QName(key.as_bytes()),
            value: Cow::Owned(escape_attribute(value)),
        });
    }
    start
}

impl<W: Write> BillWriter<W> {
    /// Starts a file on `out`: the XML declaration and the root element.
    pub(crate) fn new(out: W) -> std::io::Result<Self> {
        let mut writer = Writer::new_with_indent(out, b' ', 2);
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        writer.write_event(Event::Start(start(
            ROOT,
            &[
                ("version", "1".into()),
                (
                    "xmlns:xsi",
                    "http://www.w3.org/2001/XMLSchema-instance".into(),
                ),
                ("xsi:noNamespaceSchemaLocation", "bills.xsd".into()),
            ],
        )))?;
        Ok(Self { writer })
    }

    /// Writes a stored bill and its stored rates.
    pub(crate) fn bill(&mut self, bill: &Json, rates: &[Json]) -> std::io::Result<()> {
        let Json::Object(map) = bill else {
            return Ok(());
        };
        let mut skip = vec!["id", "href", "lastUpdate"];
        if map.get("@type").and_then(Json::as_str) == Some("CustomerBill") {
            skip.push("@type");
        }
        let account = map.get("billingAccount");
        let mut inner: Vec<(&Map<String, Json>, Vec<&str>)> = Vec::new();
        for rate in rates {
            let Json::Object(rate) = rate else {
                continue;
            };
            let mut skip = vec!["id", "href", "bill"];
            if rate.get("isBilled") == Some(&Json::Bool(true)) {
                skip.push("isBilled");
            }
            if account.is_some() && rate.get("billingAccount") == account {
                skip.push("billingAccount");
            }
            if rate.get("@type").and_then(Json::as_str) == Some("AppliedCustomerBillingRate") {
                skip.push("@type");
            }
            inner.push((rate, skip));
        }
        self.object(BILL, map, &format::CUSTOMER_BILL, &skip, &inner)
    }

    /// Writes the element `name` for the object `map` of `shape`, with the `rates` inside.
    fn object(
        &mut self,
        name: &str,
        map: &Map<String, Json>,
        shape: &'static Shape,
        skip: &[&str],
        rates: &[(&Map<String, Json>, Vec<&str>)],
    ) -> std::io::Result<()> {
        let plan = format::plan(map, shape, skip);
        let element = start(name, &plan.attributes);
        if plan.children.is_empty() && plan.properties.is_empty() && rates.is_empty() {
            return self.writer.write_event(Event::Empty(element));
        }
        self.writer.write_event(Event::Start(element))?;
        for (child, value) in &plan.children {
            let items: Vec<&Json> = match (child.many, value) {
                (true, Json::Array(items)) => items.iter().collect(),
                _ => vec![*value],
            };
            for item in items {
                match (&child.content, item) {
                    (Content::Money, Json::Object(money)) => self.money(child.xml, money)?,
                    (Content::Object(inner), Json::Object(object)) => {
                        self.object(child.xml, object, inner, &[], &[])?;
                    }
                    _ => {}
                }
            }
        }
        for (key, value) in &plan.properties {
            self.writer.write_event(Event::Empty(start(
                PROPERTY,
                &[("name", (*key).to_owned()), ("value", value.to_string())],
            )))?;
        }
        for (rate, skip) in rates {
            self.object(RATE, rate, &format::APPLIED_RATE, skip, &[])?;
        }
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    fn money(&mut self, name: &str, money: &Map<String, Json>) -> std::io::Result<()> {
        let unit = money.get("unit").and_then(Json::as_str).unwrap_or_default();
        let value = money.get("value").map(Json::to_string).unwrap_or_default();
        self.writer
            .write_event(Event::Start(start(name, &[("currency", unit.to_owned())])))?;
        self.writer
            .write_event(Event::Text(BytesText::new(&value)))?;
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// Ends the file; returns the output.
    pub(crate) fn finish(mut self) -> std::io::Result<W> {
        self.writer.write_event(Event::End(BytesEnd::new(ROOT)))?;
        let mut out = self.writer.into_inner();
        out.write_all(b"\n")?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::format::{self as fmt};
    use super::super::reader::{Record, Records, check};
    use super::*;

    #[test]
    fn a_written_bill_reads_back_as_the_same_json() {
        let bill: Json = serde_json::from_str(
            r#"{"id": "b-1", "href": "/x", "lastUpdate": "2026-12-01T00:00:00Z", "@type": "CustomerBill",
            "billNo": "B <1> & \"2\"", "state": "sent", "category": "line one\nline\ttwo",
            "billingAccount": {"id": "a-1", "@referredType": "BillingAccount"},
            "amountDue": {"unit": "EUR", "value": 120.00},
            "taxItem": [{"taxCategory": "VAT", "taxRate": 0.20, "taxAmount": {"unit": "EUR", "value": 20.00}}],
            "appliedPayment": [{"payment": {"id": "p-1"}, "appliedAmount": {"unit": "EUR", "value": 20}}],
            "@baseType": "Bill", "x": [1, {"y": null}],
            "remainingAmount": {"unit": "EUR", "value": 100.00, "note": "kept as a property"}}"#,
        )
        .expect("bill");
        let rate: Json = serde_json::from_str(
            r#"{"id": "r-1", "isBilled": true, "bill": {"id": "b-1", "@referredType": "CustomerBill"},
            "billingAccount": {"id": "a-1", "@referredType": "BillingAccount"}, "@type": "AppliedCustomerBillingRate",
            "externalId": "R-1", "type": "appliedBillingCharge", "taxIncludedAmount": {"unit": "EUR", "value": 1.5},
            "characteristic": [{"name": "speed", "value": 500}, {"name": "plan", "value": "fibre"}]}"#,
        )
        .expect("rate");
        let mut writer = BillWriter::new(Vec::new()).expect("start");
        writer.bill(&bill, &[rate]).expect("bill");
        let xml = writer.finish().expect("end");
        let text = String::from_utf8(xml.clone()).expect("UTF-8");
        assert!(
            text.contains("<amountDue currency=\"EUR\">120.00</amountDue>"),
            "{text}"
        );
        assert!(
            text.contains("category=\"line one&#10;line&#9;two\""),
            "{text}"
        );
        check(xml.as_slice(), Arc::default()).expect("well-formed");
        let mut records = Records::new(xml.as_slice(), Arc::default());
        let Some(Record::Bill {
            bill: element,
            rates,
            refused: None,
        }) = records.next_record().expect("a record")
        else {
            panic!("a bill");
        };
        let read = fmt::read(&element, &fmt::CUSTOMER_BILL).expect("reads");
        let mut expected = bill.clone();
        for key in ["id", "href", "lastUpdate", "@type"] {
            expected.as_object_mut().expect("object").remove(key);
        }
        assert_eq!(read, expected);
        assert_eq!(
            read.to_string(),
            expected.to_string(),
            "numbers keep their text"
        );
        let rate = fmt::read(&rates[0], &fmt::APPLIED_RATE).expect("rate reads");
        assert_eq!(
            rate.to_string(),
            r#"{"characteristic":[{"name":"speed","value":500},{"name":"plan","value":"fibre"}],"externalId":"R-1","taxIncludedAmount":{"unit":"EUR","value":1.5},"type":"appliedBillingCharge"}"#
        );
    }
}
