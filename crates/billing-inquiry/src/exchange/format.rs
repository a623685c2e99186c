//! The bill exchange format (`docs/bills.xsd`), as one table read both ways: an element of
//! the file becomes the TMF678 JSON a billing system would send to the API, and a stored
//! document is written back as that element.
//!
//! Attribute and element names are TMF678's: a scalar property is an attribute
//! (`billNo="B-1"`, `@referredType` written `referredType`), an object or a list item a child
//! element (`<billingAccount id="…"/>`, one `<taxItem>` per item), and an amount an element
//! holding the exact decimal text with its currency (`<amountDue
//! currency="EUR">120.00</amountDue>`). What the table does not name (an extension attribute,
//! `@baseType`, a characteristic's non-text value) travels as `<property name="…"
//! value="JSON"/>`, so nothing a bill holds is lost on the way out and back.
//!
//! The import reads a rate with [`direct`], straight into its model by the same table,
//! and through [`read`] only when the rate holds what `direct` leaves to it (a `<property>`,
//! anything refused, which [`read`] names).

use serde_json::{Map, Value as Json};

use super::reader::{Element, Pos};

/// A scalar property written as an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// A JSON string.
    Text,
    /// A JSON number: an exact decimal (`xs:decimal`).
    Decimal,
}

/// An attribute of an element: its XML name, its JSON property, its type.
#[derive(Debug)]
pub(crate) struct Attr {
    pub xml: &'static str,
    pub json: &'static str,
    pub scalar: Scalar,
}

/// What a child element holds.
#[derive(Debug)]
pub(crate) enum Content {
    /// An object of this shape.
    Object(&'static Shape),
    /// A TMF `Money`: `currency` attribute and the decimal as text.
    Money,
}

/// A child element: its XML name, its JSON property, what it holds, whether it repeats (a
/// list).
#[derive(Debug)]
pub(crate) struct Child {
    pub xml: &'static str,
    pub json: &'static str,
    pub content: Content,
    pub many: bool,
}

/// The attributes and children of an element that holds an object.
#[derive(Debug)]
pub(crate) struct Shape {
    pub attrs: &'static [Attr],
    pub children: &'static [Child],
}

/// The element that carries a property the table does not name.
pub(crate) const PROPERTY: &str = "property";

const fn text(xml: &'static str) -> Attr {
    Attr {
        xml,
        json: xml,
        scalar: Scalar::Text,
    }
}

const fn one(xml: &'static str, content: Content) -> Child {
    Child {
        xml,
        json: xml,
        content,
        many: false,
    }
}

const fn many(xml: &'static str, content: Content) -> Child {
    Child {
        xml,
        json: xml,
        content,
        many: true,
    }
}

const REFERRED_TYPE: Attr = Attr {
    xml: "referredType",
    json: "@referredType",
    scalar: Scalar::Text,
};

/// A reference (`BillingAccountRef`, `ProductRef`, `PaymentRef`, ...).
pub(crate) static REFERENCE: Shape = Shape {
    attrs: &[text("id"), text("href"), text("name"), REFERRED_TYPE],
    children: &[],
};

/// A party's reference with its role (`RelatedPartyRef`).
pub(crate) static PARTY: Shape = Shape {
    attrs: &[
        text("id"),
        text("href"),
        text("name"),
        text("role"),
        REFERRED_TYPE,
    ],
    children: &[],
};

/// A `TimePeriod`.
pub(crate) static PERIOD: Shape = Shape {
    attrs: &[text("startDateTime"), text("endDateTime")],
    children: &[],
};

/// A tax (`TaxItem`, `AppliedBillingTaxRate`).
pub(crate) static TAX: Shape = Shape {
    attrs: &[
        text("taxCategory"),
        Attr {
            xml: "taxRate",
            json: "taxRate",
            scalar: Scalar::Decimal,
        },
    ],
    children: &[one("taxAmount", Content::Money)],
};

/// A payment applied to the bill (`AppliedPayment`).
pub(crate) static PAYMENT: Shape = Shape {
    attrs: &[],
    children: &[
        one("payment", Content::Object(&REFERENCE)),
        one("appliedAmount", Content::Money),
    ],
};

/// A rate's characteristic (a text value as `value`; any other as a property).
pub(crate) static CHARACTERISTIC: Shape = Shape {
    attrs: &[text("name"), text("valueType"), text("value")],
    children: &[],
};

/// A `CustomerBill` (its rates are elements of their own inside it).
pub(crate) static CUSTOMER_BILL: Shape = Shape {
    attrs: &[
        text("billNo"),
        text("billDate"),
        text("paymentDueDate"),
        text("nextBillDate"),
        text("category"),
        text("runType"),
        text("state"),
    ],
    children: &[
        one("billingAccount", Content::Object(&REFERENCE)),
        one("financialAccount", Content::Object(&REFERENCE)),
        one("paymentMethod", Content::Object(&REFERENCE)),
        many("relatedParty", Content::Object(&PARTY)),
        one("billingPeriod", Content::Object(&PERIOD)),
        one("amountDue", Content::Money),
        one("remainingAmount", Content::Money),
        one("taxExcludedAmount", Content::Money),
        one("taxIncludedAmount", Content::Money),
        many("taxItem", Content::Object(&TAX)),
        many("appliedPayment", Content::Object(&PAYMENT)),
    ],
};

/// An `AppliedCustomerBillingRate` of a bill (`isBilled` and `bill` follow from its place).
pub(crate) static APPLIED_RATE: Shape = Shape {
    attrs: &[
        text("externalId"),
        text("type"),
        text("date"),
        text("name"),
        text("description"),
    ],
    children: &[
        one("billingAccount", Content::Object(&REFERENCE)),
        one("product", Content::Object(&REFERENCE)),
        one("periodCoverage", Content::Object(&PERIOD)),
        one("taxExcludedAmount", Content::Money),
        one("taxIncludedAmount", Content::Money),
        many("appliedTax", Content::Object(&TAX)),
        many("characteristic", Content::Object(&CHARACTERISTIC)),
    ],
};

/// Why an element does not read as its JSON: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Misread {
    pub at: Pos,
    pub reason: String,
}

fn misread(at: Pos, reason: impl Into<String>) -> Misread {
    Misread {
        at,
        reason: reason.into(),
    }
}

/// The JSON number of an `xs:decimal` text (`+1.50`, `.5`, `007`), exactly: its digits and
/// scale kept (`120.00` stays `120.00`), in JSON's spelling.
pub(crate) fn decimal(text: &str) -> Option<serde_json::Number> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole)
        || !fraction.is_none_or(all_digits)
        || (whole.is_empty() && fraction.is_none_or(str::is_empty))
    {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let mut json = String::with_capacity(text.len() + 1);
    if negative {
        json.push('-');
    }
    json.push_str(if whole.is_empty() { "0" } else { whole });
    if let Some(fraction) = fraction.filter(|f| !f.is_empty()) {
        json.push('.');
        json.push_str(fraction);
    }
    json.parse().ok()
}

/// Whether `number` is written exactly as an `xs:decimal` (no exponent) and reads back with
/// the same text.
fn exact_decimal(number: &serde_json::Number) -> bool {
    let text = number.to_string();
    decimal(&text).is_some_and(|read| read.to_string() == text)
}

/// Inserts `value` at `key` of `map`, refusing a property given twice.
fn put(map: &mut Map<String, Json>, key: &str, value: Json, at: Pos) -> Result<(), Misread> {
    if map.insert(key.to_owned(), value).is_some() {
        return Err(misread(at, format!("'{key}' is given twice")));
    }
    Ok(())
}

/// The JSON object an element of `shape` holds.
pub(crate) fn read(element: &Element, shape: &Shape) -> Result<Json, Misread> {
    let mut map = Map::new();
    for (name, value) in &element.attributes {
        let Some(attr) = shape.attrs.iter().find(|a| a.xml == name) else {
            return Err(misread(
                element.at,
                format!("<{}> has no attribute '{name}'", element.name),
            ));
        };
        let value = match attr.scalar {
            Scalar::Text => Json::String(value.clone()),
            Scalar::Decimal => Json::Number(decimal(value).ok_or_else(|| {
                misread(
                    element.at,
                    format!("'{}': '{value}' is not a decimal number", attr.json),
                )
            })?),
        };
        put(&mut map, attr.json, value, element.at)?;
    }
    if !element.text.trim().is_empty() {
        return Err(misread(
            element.at,
            format!(
                "<{}> holds text ('{}'): its values are attributes and elements",
                element.name,
                element.text.trim().chars().take(40).collect::<String>()
            ),
        ));
    }
    for child in &element.children {
        if child.name == PROPERTY {
            let (key, value) = property(child)?;
            put(&mut map, &key, value, child.at)?;
            continue;
        }
        let Some(spec) = shape.children.iter().find(|c| c.xml == child.name) else {
            return Err(misread(
                child.at,
                format!("<{}> has no element <{}>", element.name, child.name),
            ));
        };
        let value = match spec.content {
            Content::Object(inner) => read(child, inner)?,
            Content::Money => money(child, spec.json)?,
        };
        if spec.many {
            match map
                .entry(spec.json)
                .or_insert_with(|| Json::Array(Vec::new()))
            {
                Json::Array(items) => items.push(value),
                _ => return Err(misread(child.at, format!("'{}' is given twice", spec.json))),
            }
        } else {
            put(&mut map, spec.json, value, child.at)?;
        }
    }
    Ok(Json::Object(map))
}

/// A `<property name="…" value="JSON"/>`.
fn property(element: &Element) -> Result<(String, Json), Misread> {
    let mut name = None;
    let mut value = None;
    for (attribute, text) in &element.attributes {
        match attribute.as_str() {
            "name" => name = Some(text),
            "value" => value = Some(text),
            other => {
                return Err(misread(
                    element.at,
                    format!("<{PROPERTY}> has no attribute '{other}'"),
                ));
            }
        }
    }
    let (Some(name), Some(value)) = (name, value) else {
        return Err(misread(
            element.at,
            format!("<{PROPERTY}> needs 'name' and 'value' (a JSON text)"),
        ));
    };
    if !element.children.is_empty() || !element.text.trim().is_empty() {
        return Err(misread(
            element.at,
            format!("<{PROPERTY}> holds nothing but its attributes"),
        ));
    }
    let value = serde_json::from_str(value).map_err(|e| {
        misread(
            element.at,
            format!("'{name}': the property's value is not JSON ({e})"),
        )
    })?;
    Ok((name.clone(), value))
}

/// A `Money` element: `{"unit": currency, "value": the decimal}`.
fn money(element: &Element, key: &str) -> Result<Json, Misread> {
    if let Some(child) = element.children.first() {
        return Err(misread(
            child.at,
            format!("<{}> holds an amount, not <{}>", element.name, child.name),
        ));
    }
    let mut currency = None;
    for (name, value) in &element.attributes {
        match name.as_str() {
            "currency" => currency = Some(value),
            other => {
                return Err(misread(
                    element.at,
                    format!(
                        "<{}> has no attribute '{other}' (it takes 'currency')",
                        element.name
                    ),
                ));
            }
        }
    }
    let Some(currency) = currency else {
        return Err(misread(
            element.at,
            format!(
                "'{key}.unit' is required: <{}> needs its 'currency'",
                element.name
            ),
        ));
    };
    let value = decimal(&element.text).ok_or_else(|| {
        misread(
            element.at,
            format!(
                "'{key}.value': '{}' is not a decimal number",
                element.text.trim().chars().take(40).collect::<String>()
            ),
        )
    })?;
    let mut map = Map::new();
    map.insert("unit".into(), Json::String(currency.clone()));
    map.insert("value".into(), Json::Number(value));
    Ok(Json::Object(map))
}

/// How a stored object is written back ([`plan`]): attributes, child elements and
/// properties, each in the table's order.
#[derive(Debug, Default)]
pub(crate) struct Plan<'a> {
    pub attributes: Vec<(&'static str, String)>,
    pub children: Vec<(&'static Child, &'a Json)>,
    pub properties: Vec<(&'a str, &'a Json)>,
}

/// Whether `value` can be written as a child of content `content`.
fn fits(content: &Content, value: &Json) -> bool {
    match (content, value) {
        (Content::Money, Json::Object(map)) => {
            map.len() == 2
                && map.get("unit").is_some_and(Json::is_string)
                && map
                    .get("value")
                    .and_then(Json::as_number)
                    .is_some_and(exact_decimal)
        }
        (Content::Object(_), Json::Object(_)) => true,
        _ => false,
    }
}

/// How the object `map` of `shape` is written, leaving out the properties in `skip`.
pub(crate) fn plan<'a>(
    map: &'a Map<String, Json>,
    shape: &'static Shape,
    skip: &[&str],
) -> Plan<'a> {
    let mut plan = Plan::default();
    let mut placed: Vec<&str> = skip.to_vec();
    for attr in shape.attrs {
        let Some(value) = map.get(attr.json).filter(|_| !skip.contains(&attr.json)) else {
            continue;
        };
        let text = match (attr.scalar, value) {
            (Scalar::Text, Json::String(text)) => text.clone(),
            (Scalar::Decimal, Json::Number(number)) if exact_decimal(number) => number.to_string(),
            _ => continue,
        };
        plan.attributes.push((attr.xml, text));
        placed.push(attr.json);
    }
    for child in shape.children {
        let Some(value) = map.get(child.json).filter(|_| !skip.contains(&child.json)) else {
            continue;
        };
        let fit = match (child.many, value) {
            (true, Json::Array(items)) => items.iter().all(|item| fits(&child.content, item)),
            (false, value) => fits(&child.content, value),
            _ => false,
        };
        if fit {
            plan.children.push((child, value));
            placed.push(child.json);
        }
    }
    for (key, value) in map {
        if !placed.contains(&key.as_str()) {
            plan.properties.push((key, value));
        }
    }
    plan
}

/// A value of the file as serde reads it, straight from the element tree
/// ([`direct`]): what [`read`] would make a JSON value of, without the value.
enum Direct<'a> {
    /// A text attribute.
    Str(&'a str),
    /// A decimal, in JSON's spelling ([`decimal`]).
    Decimal(String),
    Bool(bool),
    /// An element holding an object of this shape.
    Object(&'a Element, &'static Shape),
    /// An element holding a `Money`.
    Money(&'a Element),
    /// The items of a list.
    List(Vec<Direct<'a>>),
    /// A reference: `{"id": …}`.
    Reference(&'a str),
    /// An object's properties.
    Entries(Vec<(&'static str, Direct<'a>)>),
}

/// What [`direct`] adds to a record beside what the file says (a rate's `isBilled` and
/// `bill`, which follow from its place).
pub(crate) enum Added<'a> {
    Str(&'a str),
    Bool(bool),
    Reference(&'a str),
}

type DirectError = serde::de::value::Error;

fn refuse<T>(reason: &str) -> Result<T, DirectError> {
    Err(serde::de::Error::custom(reason))
}

/// The properties of the object `element` of `shape` holds, as [`read`] reads them, or an
/// error where [`read`] would refuse it or where it holds what only [`read`] reads (a
/// `<property>`).
fn entries<'a>(
    element: &'a Element,
    shape: &'static Shape,
) -> Result<Vec<(&'static str, Direct<'a>)>, DirectError> {
    if !element.text.trim().is_empty() {
        return refuse("text");
    }
    let mut out: Vec<(&'static str, Direct<'a>)> =
        Vec::with_capacity(element.attributes.len() + element.children.len());
    for (name, value) in &element.attributes {
        let Some(attr) = shape.attrs.iter().find(|a| a.xml == name) else {
            return refuse("attribute");
        };
        let value = match attr.scalar {
            Scalar::Text => Direct::Str(value),
            Scalar::Decimal => match decimal(value) {
                Some(number) => Direct::Decimal(number.to_string()),
                None => return refuse("decimal"),
            },
        };
        if out.iter().any(|(key, _)| *key == attr.json) {
            return refuse("twice");
        }
        out.push((attr.json, value));
    }
    for child in &element.children {
        let Some(spec) = shape.children.iter().find(|c| c.xml == child.name) else {
            return refuse("element");
        };
        let value = match spec.content {
            Content::Object(inner) => Direct::Object(child, inner),
            Content::Money => Direct::Money(child),
        };
        match out.iter_mut().find(|(key, _)| *key == spec.json) {
            Some((_, Direct::List(items))) if spec.many => items.push(value),
            Some(_) => return refuse("twice"),
            None if spec.many => out.push((spec.json, Direct::List(vec![value]))),
            None => out.push((spec.json, value)),
        }
    }
    Ok(out)
}

/// The `unit` and `value` of a `Money` element, as [`money`] reads them.
fn money_entries(element: &Element) -> Result<Vec<(&'static str, Direct<'_>)>, DirectError> {
    if !element.children.is_empty() {
        return refuse("element");
    }
    let mut currency = None;
    for (name, value) in &element.attributes {
        match name.as_str() {
            "currency" => currency = Some(value.as_str()),
            _ => return refuse("attribute"),
        }
    }
    match (currency, decimal(&element.text)) {
        (Some(currency), Some(value)) => Ok(vec![
            ("unit", Direct::Str(currency)),
            ("value", Direct::Decimal(value.to_string())),
        ]),
        _ => refuse("money"),
    }
}

impl<'de> serde::de::IntoDeserializer<'de, DirectError> for Direct<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> serde::Deserializer<'de> for Direct<'de> {
    type Error = DirectError;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, DirectError> {
        use serde::de::value::{MapDeserializer, SeqDeserializer};
        let entries = match self {
            Direct::Str(text) => return visitor.visit_borrowed_str(text),
            Direct::Decimal(text) => return visitor.visit_string(text),
            Direct::Bool(value) => return visitor.visit_bool(value),
            Direct::Object(element, shape) => entries(element, shape)?,
            Direct::Money(element) => money_entries(element)?,
            Direct::Reference(id) => vec![("id", Direct::Str(id))],
            Direct::Entries(entries) => entries,
            Direct::List(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                return Ok(value);
            }
        };
        let mut map = MapDeserializer::new(entries.into_iter());
        let value = visitor.visit_map(&mut map)?;
        map.end()?;
        Ok(value)
    }

    /// A value the file gives is never `null`.
    fn deserialize_option<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, DirectError> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// `T` read straight from `element` (of `shape`) with `added` beside what it holds: the
/// model [`read`] and serde would give of the JSON value [`read`] makes, without making the
/// value, for the elements the format's table names alone. `None` for anything else (a
/// `<property>`, whatever [`read`] refuses, a model serde refuses): the caller then reads
/// the element through [`read`], which names what is wrong.
pub(crate) fn direct<'a, T: serde::de::DeserializeOwned>(
    element: &'a Element,
    shape: &'static Shape,
    added: &[(&'static str, Added<'a>)],
) -> Option<T> {
    let mut entries = entries(element, shape).ok()?;
    for (key, value) in added {
        if entries.iter().any(|(k, _)| k == key) {
            return None;
        }
        entries.push((
            key,
            match value {
                Added::Str(text) => Direct::Str(text),
                Added::Bool(value) => Direct::Bool(*value),
                Added::Reference(id) => Direct::Reference(id),
            },
        ));
    }
    T::deserialize(Direct::Entries(entries)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_digits_and_scale() {
        for (text, json) in [
            ("120.00", "120.00"),
            (" 0.20 ", "0.20"),
            ("+1.50", "1.50"),
            (".5", "0.5"),
            ("5.", "5"),
            ("-007.10", "-7.10"),
            ("0", "0"),
            ("-0.00", "-0.00"),
        ] {
            assert_eq!(
                decimal(text).map(|n| n.to_string()).as_deref(),
                Some(json),
                "{text}"
            );
        }
        for text in ["", "-", ".", "1,50", "1e5", "1.2.3", "0x10", "NaN", "1 000"] {
            assert!(decimal(text).is_none(), "{text}");
        }
    }

    fn element(name: &str, attributes: &[(&str, &str)], children: Vec<Element>) -> Element {
        Element {
            name: name.into(),
            attributes: attributes
                .iter()
                .map(|(n, v)| ((*n).into(), (*v).into()))
                .collect(),
            children,
            ..Element::default()
        }
    }

    fn amount(name: &str, currency: &str, value: &str) -> Element {
        Element {
            text: value.into(),
            ..element(name, &[("currency", currency)], Vec::new())
        }
    }

    /// A rate with every part the table names.
    fn full_rate(extra: Vec<Element>) -> Element {
        let mut children = vec![
            element("billingAccount", &[("id", "a-1")], vec![]),
            element(
                "product",
                &[
                    ("id", "p-1"),
                    ("href", "/p/p-1"),
                    ("name", "Fibre"),
                    ("referredType", "Product"),
                ],
                vec![],
            ),
            element(
                "periodCoverage",
                &[
                    ("startDateTime", "2026-11-01T00:00:00Z"),
                    ("endDateTime", "2026-11-30T23:59:59+01:00"),
                ],
                vec![],
            ),
            amount("taxExcludedAmount", "EUR", "+10.00"),
            amount("taxIncludedAmount", "EUR", " 12.5 "),
            element(
                "appliedTax",
                &[("taxCategory", "VAT"), ("taxRate", ".20")],
                vec![amount("taxAmount", "EUR", "2.50")],
            ),
            element("appliedTax", &[("taxCategory", "eco")], vec![]),
            element(
                "characteristic",
                &[("name", "chargeType"), ("value", "usage")],
                vec![],
            ),
            element(
                "characteristic",
                &[
                    ("name", "unit"),
                    ("valueType", "string"),
                    ("value", "minutes"),
                ],
                vec![],
            ),
        ];
        children.extend(extra);
        element(
            "appliedCustomerBillingRate",
            &[
                ("externalId", "R-1"),
                ("type", "appliedBillingCharge"),
                ("date", "2026-11-30T00:00:00Z"),
                ("name", "Calls"),
                ("description", "usage <&> \"quoted\""),
            ],
            children,
        )
    }

    const PLACED: [(&str, Added<'static>); 3] = [
        ("id", Added::Str("-")),
        ("isBilled", Added::Bool(true)),
        ("bill", Added::Reference("b-1")),
    ];

    /// What `read` and serde give of `rate` with `PLACED` added.
    fn through_json(rate: &Element) -> Option<sid_model::AppliedCustomerBillingRate> {
        let mut json = read(rate, &APPLIED_RATE).ok()?;
        let map = json.as_object_mut()?;
        map.insert("id".into(), Json::String("-".into()));
        map.insert("isBilled".into(), Json::Bool(true));
        map.insert("bill".into(), serde_json::json!({ "id": "b-1" }));
        serde_json::from_value(json).ok()
    }

    #[test]
    fn a_rate_read_straight_into_its_model_is_the_model_of_its_json() {
        let rate = full_rate(vec![]);
        let model: sid_model::AppliedCustomerBillingRate =
            direct(&rate, &APPLIED_RATE, &PLACED).expect("read straight");
        assert_eq!(Some(&model), through_json(&rate).as_ref());
        assert_eq!(model.extensions.get("externalId"), Some(&Json::from("R-1")));
        let tax = &model.applied_tax.as_ref().expect("taxes")[0];
        assert_eq!(tax.tax_rate.map(|r| r.to_string()).as_deref(), Some("0.20"));
        assert_eq!(
            model
                .tax_included_amount
                .as_ref()
                .map(|m| m.value.to_string())
                .as_deref(),
            Some("12.5")
        );

        // What only `read` reads, or what it refuses: not read straight.
        let mut texted = full_rate(vec![]);
        texted.text = "stray".into();
        for refused in [
            full_rate(vec![element(
                "property",
                &[("name", "x"), ("value", "1")],
                vec![],
            )]),
            full_rate(vec![element("unknown", &[], vec![])]),
            full_rate(vec![amount("taxExcludedAmount", "EUR", "1.00")]),
            full_rate(vec![amount("taxAmount", "EUR", "1.00")]),
            full_rate(vec![element("billingAccount", &[("id", "a-2")], vec![])]),
            full_rate(vec![element(
                "product",
                &[("id", "p"), ("colour", "red")],
                vec![],
            )]),
            full_rate(vec![element("appliedTax", &[("taxRate", "1,5")], vec![])]),
            full_rate(vec![amount("remainingAmount", "EUR", "1")]),
            texted,
            element(
                "appliedCustomerBillingRate",
                &[("isBilled", "true")],
                vec![],
            ),
            element(
                "appliedCustomerBillingRate",
                &[("date", "yesterday")],
                vec![],
            ),
            element(
                "appliedCustomerBillingRate",
                &[],
                vec![Element {
                    text: "1.00".into(),
                    ..element("taxIncludedAmount", &[], vec![])
                }],
            ),
        ] {
            assert!(
                direct::<sid_model::AppliedCustomerBillingRate>(&refused, &APPLIED_RATE, &PLACED)
                    .is_none(),
                "{refused:?}"
            );
        }
        // A property the file gives beside what is added is not overwritten.
        let placed_twice = element("appliedCustomerBillingRate", &[], vec![]);
        assert!(
            direct::<sid_model::AppliedCustomerBillingRate>(
                &placed_twice,
                &APPLIED_RATE,
                &[("id", Added::Str("-")), ("id", Added::Str("x"))]
            )
            .is_none()
        );
    }

    #[test]
    fn an_element_reads_as_the_json_the_api_takes() {
        let bill = element(
            "customerBill",
            &[("billNo", "B-1"), ("state", "sent")],
            vec![
                element(
                    "billingAccount",
                    &[("id", "a-1"), ("referredType", "BillingAccount")],
                    vec![],
                ),
                amount("amountDue", "EUR", "120.00"),
                element(
                    "taxItem",
                    &[("taxCategory", "VAT"), ("taxRate", "0.20")],
                    vec![amount("taxAmount", "EUR", "20.00")],
                ),
                element("relatedParty", &[("id", "p-1"), ("role", "payer")], vec![]),
                element("relatedParty", &[("id", "p-2")], vec![]),
                element(
                    "property",
                    &[("name", "x-origin"), ("value", "{\"system\":\"legacy\"}")],
                    vec![],
                ),
            ],
        );
        let json = read(&bill, &CUSTOMER_BILL).expect("reads");
        assert_eq!(
            json.to_string(),
            r#"{"amountDue":{"unit":"EUR","value":120.00},"billNo":"B-1","billingAccount":{"@referredType":"BillingAccount","id":"a-1"},"relatedParty":[{"id":"p-1","role":"payer"},{"id":"p-2"}],"state":"sent","taxItem":[{"taxAmount":{"unit":"EUR","value":20.00},"taxCategory":"VAT","taxRate":0.20}],"x-origin":{"system":"legacy"}}"#
        );
        // Written back the same way.
        let Json::Object(map) = &json else {
            panic!("an object");
        };
        let plan = plan(map, &CUSTOMER_BILL, &[]);
        assert_eq!(
            plan.attributes,
            vec![("billNo", "B-1".into()), ("state", "sent".into())]
        );
        let children: Vec<&str> = plan.children.iter().map(|(c, _)| c.xml).collect();
        assert_eq!(
            children,
            ["billingAccount", "relatedParty", "amountDue", "taxItem"]
        );
        assert_eq!(plan.properties.len(), 1);
    }

    #[test]
    fn what_does_not_read_is_named() {
        for (bill, expected) in [
            (
                element("customerBill", &[("billno", "B")], vec![]),
                "no attribute 'billno'",
            ),
            (
                element("customerBill", &[], vec![element("amountdue", &[], vec![])]),
                "no element <amountdue>",
            ),
            (
                element(
                    "customerBill",
                    &[],
                    vec![amount("amountDue", "EUR", "12,50")],
                ),
                "'amountDue.value': '12,50' is not a decimal number",
            ),
            (
                element(
                    "customerBill",
                    &[],
                    vec![
                        amount("amountDue", "EUR", "1"),
                        amount("amountDue", "EUR", "2"),
                    ],
                ),
                "'amountDue' is given twice",
            ),
            (
                element("customerBill", &[], vec![element("amountDue", &[], vec![])]),
                "'amountDue.unit' is required",
            ),
            (
                element(
                    "customerBill",
                    &[("billNo", "B")],
                    vec![element(
                        "property",
                        &[("name", "billNo"), ("value", "\"C\"")],
                        vec![],
                    )],
                ),
                "'billNo' is given twice",
            ),
            (
                element(
                    "customerBill",
                    &[],
                    vec![element(
                        "property",
                        &[("name", "x"), ("value", "{")],
                        vec![],
                    )],
                ),
                "not JSON",
            ),
        ] {
            let refused = read(&bill, &CUSTOMER_BILL).expect_err("refused");
            assert!(refused.reason.contains(expected), "{}", refused.reason);
        }
    }
}
