//! Attachments: documents, pictures or videos, embedded or referenced.

use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::quantity::Quantity;
use crate::time::TimePeriod;

/// An attachment by value or by reference: a document, a video or a picture, either embedded
/// (`content`, base64) or pointed at (`url`, `href`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Validate)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct AttachmentRefOrValue {
    /// Unique identifier for this particular attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// URI for this Attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Attachment type such as video, picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_type: Option<String>,
    /// The actual contents of the attachment object, if embedded, encoded as base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// A narrative text describing the content of the attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Attachment mime type such as extension file for video, picture and document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The name of the attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Uniform Resource Locator, is a web page address (a subset of URI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The size of the attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Quantity>,
    /// The period of time for which the attachment is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub valid_for: Option<TimePeriod>,
    /// When sub-classing, the name of the super-class.
    #[serde(rename = "@baseType", default, skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    /// A URI to a JSON-Schema file that defines additional attributes and relationships.
    #[serde(
        rename = "@schemaLocation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub schema_location: Option<String>,
    /// When sub-classing, the name of the sub-class.
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// The actual type of the target instance, when needed for disambiguation.
    #[serde(
        rename = "@referredType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_type: Option<String>,
}

crate::wire::object_only_serde!(AttachmentRefOrValue);
