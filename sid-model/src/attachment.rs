//! Attachments: documents, pictures or videos, embedded or referenced.

use validator::Validate;

use crate::quantity::Quantity;
use crate::time::TimePeriod;

crate::wire::wire! {
    /// An attachment by value or by reference: a document, a video or a picture, either embedded
    /// (`content`, base64) or pointed at (`url`, `href`).
    #[derive(Default)]
    pub struct AttachmentRefOrValue @referredType {
        /// Unique identifier for this particular attachment.
        id: Option<String>,
        /// URI for this Attachment.
        href: Option<String>,
        /// Attachment type such as video, picture.
        attachment_type: Option<String>,
        /// The actual contents of the attachment object, if embedded, encoded as base64.
        content: Option<String>,
        /// A narrative text describing the content of the attachment.
        description: Option<String>,
        /// Attachment mime type such as extension file for video, picture and document.
        #[validate(custom(function = "validate_mime_type"))]
        mime_type: Option<String>,
        /// The name of the attachment.
        name: Option<String>,
        /// Uniform Resource Locator, is a web page address (a subset of URI).
        url: Option<String>,
        /// The size of the attachment.
        #[validate(custom(function = "validate_size"))]
        size: Option<Quantity>,
        /// The period of time for which the attachment is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }
}

/// A media type is `type/subtype`, each an RFC 6838 restricted name (parameters allowed).
fn validate_mime_type(value: &str) -> Result<(), validator::ValidationError> {
    let essence = value.split(';').next().unwrap_or_default().trim();
    let restricted = |part: &str| {
        !part.is_empty()
            && part.len() <= 127
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    match essence.split_once('/') {
        Some((kind, subtype)) if restricted(kind) && restricted(subtype) => Ok(()),
        _ => Err(validator::ValidationError::new("mime_type")
            .with_message("must be a media type such as application/pdf".into())),
    }
}

/// The units a size may be given in, with the bytes in one of each.
const SIZE_UNITS: [(&str, u64); 9] = [
    ("B", 1),
    ("bytes", 1),
    ("byte", 1),
    ("KB", 1_000),
    ("kB", 1_000),
    ("KiB", 1_024),
    ("MB", 1_000_000),
    ("MiB", 1_048_576),
    ("GB", 1_000_000_000),
];

fn bytes_per(units: &str) -> Option<u64> {
    SIZE_UNITS
        .iter()
        .find(|(name, _)| *name == units)
        .map(|(_, bytes)| *bytes)
}

impl AttachmentRefOrValue {
    /// The attachment's size in bytes, when it states one (a size without units is in bytes).
    pub fn size_in_bytes(&self) -> Option<rust_decimal::Decimal> {
        let size = self.size.as_ref()?;
        let bytes = bytes_per(size.units.as_deref().unwrap_or("B"))?;
        Some(size.amount.unwrap_or_default() * rust_decimal::Decimal::from(bytes))
    }
}

/// A size is a non-negative amount in a unit of bytes.
fn validate_size(size: &Quantity) -> Result<(), validator::ValidationError> {
    if size.amount.is_some_and(|amount| amount.is_sign_negative()) {
        return Err(validator::ValidationError::new("size")
            .with_message("the size cannot be negative".into()));
    }
    if let Some(units) = size.units.as_deref()
        && bytes_per(units).is_none()
    {
        return Err(validator::ValidationError::new("size").with_message(
            format!(
                "'{units}' is not a size unit; use one of {}",
                SIZE_UNITS.map(|(name, _)| name).join(", ")
            )
            .into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod metadata_tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn media_types_and_sizes_are_checked() {
        assert!(validate_mime_type("application/pdf").is_ok());
        assert!(validate_mime_type("image/svg+xml; charset=utf-8").is_ok());
        assert!(validate_mime_type("pdf").is_err());
        assert!(validate_mime_type("text/").is_err());
        assert!(validate_mime_type("a b/c").is_err());
        let size = |amount: i64, units: &str| Quantity {
            amount: Some(Decimal::from(amount)),
            units: Some(units.into()),
            extensions: Default::default(),
        };
        assert!(validate_size(&size(12, "MB")).is_ok());
        assert!(validate_size(&size(-1, "MB")).is_err());
        assert!(validate_size(&size(1, "parsecs")).is_err());
        let attachment = |amount: i64, units: &str| AttachmentRefOrValue {
            size: Some(size(amount, units)),
            ..AttachmentRefOrValue::default()
        };
        assert_eq!(
            attachment(3, "MiB").size_in_bytes(),
            Some(Decimal::from(3 * 1_048_576))
        );
        assert_eq!(
            attachment(2, "kB").size_in_bytes(),
            Some(Decimal::from(2_000))
        );
        assert_eq!(AttachmentRefOrValue::default().size_in_bytes(), None);
    }
}
