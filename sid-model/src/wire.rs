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
//!
//! The wire types are declared with the macros of this module, so that what they all share is
//! written once: [`wire!`] (a struct: its fields, then its meta-properties, an optional
//! `@referredType` and its extension attributes), [`entity_ref!`] (a reference: `id`, `href`,
//! `name` and the fields given), [`alike!`] (structs that a specification defines with the same
//! properties) and [`wire_enum!`] (an enumeration of fixed spellings).

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

/// Declares wire structs. Each `pub struct Name { fields }` given becomes a public struct
/// with the fields given (each public: they are written without `pub`), then the flattened
/// [`Meta`](crate::extension::Meta), an `@referredType` when the name is followed by
/// `@referredType`, and the flattened [`Extensions`](crate::extension::Extensions) last. It
/// derives `Debug`, `Clone`, `PartialEq`, serde (with `remote = "Self"`, `camelCase` names and
/// [`object_only_serde!`]) and `Validate`, with `skip_serializing_none`: an absent `Option`
/// stays absent (a field read with `with` also needs `default`: serde reads an absent field
/// as `None` by itself only when nothing replaces its deserializer). The attributes before
/// `pub struct` (docs, `#[derive(Default)]`, ...) and before each field are kept; each field
/// ends with a comma. An `Option<T>` field keeps its `Option` as written, so that `validator`
/// sees it (it cannot see through a `$t:ty` fragment).
macro_rules! wire {
    (@fields $attrs:tt $name:ident $referred:tt [$($done:tt)*]
        $(#[$field_attr:meta])* $field:ident : Option<$ty:ty>, $($rest:tt)*
    ) => {
        $crate::wire::wire!(@fields $attrs $name $referred
            [$($done)* $(#[$field_attr])* pub $field: Option<$ty>,] $($rest)*);
    };
    (@fields $attrs:tt $name:ident $referred:tt [$($done:tt)*]
        $(#[$field_attr:meta])* $field:ident : $ty:ty, $($rest:tt)*
    ) => {
        $crate::wire::wire!(@fields $attrs $name $referred
            [$($done)* $(#[$field_attr])* pub $field: $ty,] $($rest)*);
    };
    (@fields [$($attr:tt)*] $name:ident [$($referred:tt)*] [$($body:tt)*]) => {
        #[::serde_with::skip_serializing_none]
        #[derive(Debug, Clone, PartialEq)]
        #[derive(::serde::Serialize, ::serde::Deserialize, ::validator::Validate)]
        $($attr)*
        #[serde(remote = "Self", rename_all = "camelCase")]
        pub struct $name {
            $($body)*
            /// The `@type`, `@baseType` and `@schemaLocation` meta-properties.
            #[serde(flatten)]
            pub meta: $crate::extension::Meta,
            $($referred)*
            /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
            #[serde(flatten)]
            pub extensions: $crate::extension::Extensions,
        }

        $crate::wire::object_only_serde!($name);
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident @referredType { $($body:tt)* }
        $($rest:tt)*
    ) => {
        $crate::wire::wire!(@fields [$(#[$attr])*] $name [
            /// The actual type of the target instance, when needed for disambiguation.
            #[serde(rename = "@referredType")]
            pub referred_type: Option<String>,
        ] [] $($body)*);
        $crate::wire::wire!($($rest)*);
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident { $($body:tt)* }
        $($rest:tt)*
    ) => {
        $crate::wire::wire!(@fields [$(#[$attr])*] $name [] [] $($body)*);
        $crate::wire::wire!($($rest)*);
    };
    () => {};
}

pub(crate) use wire;

/// Declares TMF reference types (`…Ref`, `RelatedParty`, `RelatedChannel`, …): [`wire!`]
/// structs with a required non-empty `id`, an optional `href` and `name`, the fields given
/// (written without `pub`, as in [`wire!`]), the meta-properties, an optional `@referredType`
/// and the extension attributes. Every reference of every specification has this shape on
/// input; what a specification requires beyond `id` (`href`, `name`, `@referredType`) is
/// completed by the server from the stored target, so it is not required of the client.
macro_rules! entity_ref {
    ($(
        $(#[$attr:meta])*
        $name:ident { $($body:tt)* }
    )+) => {$(
        $crate::wire::wire!(@fields [$(#[$attr])*] $name [
            /// The actual type of the target instance (inferred by the server when absent).
            #[serde(rename = "@referredType")]
            pub referred_type: Option<String>,
        ] [
            /// Unique identifier of the referred entity.
            #[validate(length(min = 1))]
            pub id: String,
            /// Hyperlink to the referred entity (filled in on output when the server stores
            /// the target).
            pub href: Option<String>,
            /// Name of the referred entity.
            pub name: Option<String>,
        ] $($body)*);
    )+};
}

pub(crate) use entity_ref;

/// Declares [`wire!`] structs that a specification defines with the same properties
/// (`pub struct A; pub struct B @referredType { own fields }; fields { shared fields }`): the
/// shared fields are written once, after `fields`, and each struct gets them, then its own
/// fields (those the specification adds to it, or types differently), with its own attributes
/// (docs, `#[derive(Default)]`, ...).
macro_rules! alike {
    (
        $( $(#[$attr:meta])* pub struct $name:ident $(@$referred:ident)? $({ $($own:tt)* })?; )+
        fields $fields:tt
    ) => {
        $( $crate::wire::alike!(@one $fields $(#[$attr])* pub struct $name $(@$referred)? {
            $($($own)*)?
        }); )+
    };
    (@one { $($shared:tt)* }
        $(#[$attr:meta])* pub struct $name:ident $(@$referred:ident)? { $($own:tt)* }
    ) => {
        $crate::wire::wire! {
            $(#[$attr])*
            pub struct $name $(@$referred)? { $($shared)* $($own)* }
        }
    };
}

pub(crate) use alike;

/// Declares a TMF enumeration: a unit enum read and written as the exact spellings of the
/// specification (each given as `"spelling" => Variant`), with `ALL` its values in the
/// specification's order, `as_str` the spelling of a value and `Display` writing it.
macro_rules! wire_enum {
    (
        $(#[$attr:meta])*
        pub enum $name:ident {
            $( $(#[$variant_attr:meta])* $spelling:literal => $variant:ident, )+
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $( $(#[$variant_attr])* #[serde(rename = $spelling)] $variant, )+
        }

        impl $name {
            /// Every value, in the specification's order.
            pub const ALL: [Self; [$($spelling),+].len()] = [$(Self::$variant),+];

            /// The wire spelling of the value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $spelling, )+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
// The macro declares its structs `pub`, as every wire type is; the sample is the tests' own.
#[allow(unreachable_pub)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;
    use validator::Validate;

    use crate::time::TimePeriod;
    use crate::time::tests::at;
    use crate::validation::first_violation;

    crate::wire::wire! {
        /// A wire struct with each kind of field: required, optional, optional with nested
        /// rules (alone and in a list), and an optional exact decimal.
        pub struct Sample @referredType {
            /// A required identifier.
            #[validate(length(min = 1))]
            id: String,
            /// An optional text.
            note: Option<String>,
            /// An optional period, with its own rules.
            #[validate(nested)]
            valid_for: Option<TimePeriod>,
            /// Optional periods, with their own rules.
            #[validate(nested)]
            periods: Option<Vec<TimePeriod>>,
            /// An optional exact decimal.
            #[serde(with = "crate::decimal::option", default)]
            rate: Option<Decimal>,
        }
    }

    #[test]
    fn absent_or_null_optional_fields_stay_absent() {
        for sent in [
            json!({"id": "1"}),
            json!({"id": "1", "note": null, "validFor": null, "rate": null, "@type": null}),
        ] {
            let sample: Sample = serde_json::from_value(sent).expect("read");
            assert_eq!((sample.note.as_deref(), sample.rate), (None, None));
            assert_eq!(sample.meta, crate::extension::Meta::default());
            assert_eq!(
                serde_json::to_value(&sample).expect("write"),
                json!({"id": "1"})
            );
        }
        assert!(serde_json::from_value::<Sample>(json!({"note": "no id"})).is_err());
    }

    #[test]
    fn meta_referred_type_and_extensions_sit_beside_the_fields() {
        let sent = json!({
            "id": "1", "rate": 0.25, "@type": "Sample", "@referredType": "Thing", "vendor": [1]
        });
        let sample: Sample = serde_json::from_value(sent.clone()).expect("read");
        assert_eq!(sample.rate, Some(Decimal::new(25, 2)));
        assert_eq!(sample.meta.r#type.as_deref(), Some("Sample"));
        assert_eq!(sample.referred_type.as_deref(), Some("Thing"));
        assert_eq!(sample.extensions.get("vendor"), Some(&json!([1])));
        assert_eq!(serde_json::to_value(&sample).expect("write"), sent);
    }

    #[test]
    fn rules_of_optional_nested_fields_apply() {
        let reversed = json!({"startDateTime": at(12), "endDateTime": at(11)});
        for (document, path) in [
            (
                json!({"id": "1", "validFor": reversed}),
                "validFor.endDateTime",
            ),
            (
                json!({"id": "1", "periods": [{}, reversed]}),
                "periods[1].endDateTime",
            ),
            (json!({"id": ""}), "id"),
        ] {
            let sample: Sample = serde_json::from_value(document).expect("well-formed");
            let errors = sample.validate().expect_err("a rule is broken");
            assert_eq!(first_violation(&errors).path, path);
        }
    }

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
