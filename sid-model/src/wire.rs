//! What every wire struct of the crate shares: it is read from a JSON object, and only from one.
//!
//! A struct derived with serde also accepts a JSON array of its fields in declaration order,
//! so `"engagedParty": ["42"]` or `"validFor": []` would be read as if they were objects. The
//! TMF schemas allow objects only. So each wire struct derives its serde code with
//! `#[serde(remote = "Self")]`, which generates it as inherent functions instead of trait
//! implementations, and [`object_only_serde!`] implements the traits on top of them,
//! reading through [`ObjectOnly`], which asks the format for a map and nothing else.
//!
//! A side effect: each wire type also has public inherent `serialize`/`deserialize` functions,
//! which win over the trait methods in a call such as `Individual::deserialize(d)` on a
//! concrete type. Call through the traits (`serde_json::from_value`, `T: Deserialize`) instead.

use serde::Deserializer;
use serde::de::Visitor;

/// A deserializer that only ever asks the underlying one for a map.
pub(crate) struct ObjectOnly<D>(pub(crate) D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// Implements `Serialize` and `Deserialize` for wire structs whose serde code was derived
/// with `#[serde(remote = "Self")]`, reading them from JSON objects only.
macro_rules! object_only_serde {
    ($($ty:ident),+ $(,)?) => {$(
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $ty::serialize(self, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $ty::deserialize($crate::wire::ObjectOnly(deserializer))
            }
        }
    )+};
}

pub(crate) use object_only_serde;

/// Declares a TMF reference type (`…Ref`, `RelatedParty`, `RelatedChannel`, …): a wire struct
/// with a required non-empty `id`, an optional `href` and `name`, the fields given, the
/// meta-properties, an optional `@referredType` and the extension attributes, read from JSON
/// objects only. Every reference of every specification has this shape on input; what a
/// specification requires beyond `id` (`href`, `name`, `@referredType`) is completed by the
/// server from the stored target, so it is not required of the client.
macro_rules! entity_ref {
    ($(
        $(#[$attr:meta])*
        $name:ident {
            $( $(#[$field_attr:meta])* pub $field:ident : $ty:ty, )*
        }
    )+) => {$(
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize, ::validator::Validate)]
        #[serde(remote = "Self", rename_all = "camelCase")]
        pub struct $name {
            /// Unique identifier of the referred entity.
            #[validate(length(min = 1))]
            pub id: String,
            /// Hyperlink to the referred entity (filled in on output when the server stores
            /// the target).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub href: Option<String>,
            /// Name of the referred entity.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub name: Option<String>,
            $( $(#[$field_attr])* pub $field: $ty, )*
            /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
            #[serde(flatten)]
            pub meta: $crate::extension::Meta,
            /// The actual type of the target instance (inferred by the server when absent).
            #[serde(
                rename = "@referredType",
                default,
                skip_serializing_if = "Option::is_none"
            )]
            pub referred_type: Option<String>,
            /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
            #[serde(flatten)]
            pub extensions: $crate::extension::Extensions,
        }

        $crate::wire::object_only_serde!($name);
    )+};
}

pub(crate) use entity_ref;

#[cfg(test)]
mod tests {
    use crate::time::TimePeriod;

    #[test]
    fn wire_structs_are_read_from_objects_only() {
        let period: TimePeriod =
            serde_json::from_str(r#"{"startDateTime":"2024-01-01T00:00:00Z"}"#).expect("an object");
        assert!(period.start_date_time.is_some());
        for not_an_object in ["[]", r#"["2024-01-01T00:00:00Z"]"#, "null", "1"] {
            let error = serde_json::from_str::<TimePeriod>(not_an_object).expect_err(not_an_object);
            assert!(error.to_string().contains("invalid type"), "{error}");
        }
    }
}
