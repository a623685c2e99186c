//! Turning [`validator`] errors into one violation that names the offending JSON property.

use std::fmt;

use validator::{ValidationError, ValidationErrors, ValidationErrorsKind};

/// The key under which `validator` files errors of a struct-level (schema) rule.
const STRUCT_LEVEL: &str = "__all__";

/// One broken rule: where (a JSON path in the wire spelling, such as
/// `contactMedium[1].validFor.endDateTime`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Dotted path to the offending property, with `[index]` for list items; empty when the
    /// rule concerns the whole document.
    pub path: String,
    /// What is wrong, in words meant for the API client.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Picks one violation out of `errors` and names it by its JSON path.
///
/// The choice is deterministic: at each level a property's own errors come before errors
/// nested inside other properties, properties are taken in alphabetical order of their wire
/// names, and list items in index order. Rust field names are given in their wire (camelCase)
/// spelling.
pub fn first_violation(errors: &ValidationErrors) -> Violation {
    let mut path = String::new();
    let mut current = errors;
    loop {
        let Some((key, kind)) = first_entry(current) else {
            return Violation {
                path,
                message: "is invalid".to_owned(),
            };
        };
        if key != STRUCT_LEVEL {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&wire_name(key));
        }
        match kind {
            ValidationErrorsKind::Field(field_errors) => {
                let message = field_errors
                    .first()
                    .map_or_else(|| "is invalid".to_owned(), describe);
                return Violation { path, message };
            }
            ValidationErrorsKind::Struct(nested) => current = nested,
            ValidationErrorsKind::List(items) => match items.iter().next() {
                Some((index, nested)) => {
                    path.push_str(&format!("[{index}]"));
                    current = nested;
                }
                None => {
                    return Violation {
                        path,
                        message: "is invalid".to_owned(),
                    };
                }
            },
        }
    }
}

/// The entry to report at one level: direct field errors first, then nested ones, each in
/// alphabetical order of the wire name.
fn first_entry(errors: &ValidationErrors) -> Option<(&str, &ValidationErrorsKind)> {
    errors
        .errors()
        .iter()
        .map(|(key, kind)| (key.as_ref(), kind))
        .min_by_key(|(key, kind)| {
            let nested = !matches!(kind, ValidationErrorsKind::Field(_));
            (nested, wire_name(key))
        })
}

/// The wire spelling of a Rust field name: `valid_for` becomes `validFor`.
fn wire_name(field: &str) -> String {
    let field = field.strip_prefix("r#").unwrap_or(field);
    let mut name = String::with_capacity(field.len());
    let mut upper_next = false;
    for c in field.chars() {
        if c == '_' {
            upper_next = !name.is_empty();
        } else if upper_next {
            name.extend(c.to_uppercase());
            upper_next = false;
        } else {
            name.push(c);
        }
    }
    name
}

/// A message for one error: its own message when it has one, otherwise one made from the
/// rule and its parameters.
fn describe(error: &ValidationError) -> String {
    if let Some(message) = &error.message {
        return message.to_string();
    }
    let param = |name: &str| error.params.get(name).and_then(serde_json::Value::as_u64);
    match error.code.as_ref() {
        "length" => match (param("min"), param("max"), param("equal")) {
            (_, _, Some(equal)) => format!("must be exactly {equal} characters long"),
            (Some(1), None, None) => "must not be empty".to_owned(),
            (Some(min), Some(max), None) => {
                format!("must be between {min} and {max} characters long")
            }
            (Some(min), None, None) => format!("must be at least {min} characters long"),
            (None, Some(max), None) => format!("must be at most {max} characters long"),
            (None, None, None) => "has an invalid length".to_owned(),
        },
        "range" => "is out of range".to_owned(),
        "email" => "must be an email address".to_owned(),
        "url" => "must be a URL".to_owned(),
        code => format!("fails the `{code}` rule"),
    }
}

#[cfg(test)]
mod tests {
    use validator::Validate;

    use super::*;
    use crate::time::TimePeriod;
    use crate::time::tests::at;

    #[derive(Debug, Validate)]
    struct Medium {
        #[validate(length(min = 1))]
        medium_type: String,
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    #[derive(Debug, Validate)]
    struct Party {
        #[validate(length(min = 1))]
        trading_name: String,
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
        #[validate(nested)]
        contact_medium: Option<Vec<Medium>>,
    }

    fn medium(valid_for: Option<TimePeriod>) -> Medium {
        Medium {
            medium_type: "email".to_owned(),
            valid_for,
        }
    }

    fn violation_of(party: &Party) -> Violation {
        first_violation(&party.validate().expect_err("an invalid party"))
    }

    #[test]
    fn nested_struct_errors_get_a_dotted_path() {
        let party = Party {
            trading_name: "Acme".to_owned(),
            valid_for: Some(TimePeriod::between(at(12), at(11))),
            contact_medium: None,
        };
        let violation = violation_of(&party);
        assert_eq!(violation.path, "validFor.endDateTime");
        assert_eq!(violation.message, "must not be before startDateTime");
        assert_eq!(
            violation.to_string(),
            "validFor.endDateTime: must not be before startDateTime"
        );
    }

    #[test]
    fn list_errors_get_the_item_index() {
        let party = Party {
            trading_name: "Acme".to_owned(),
            valid_for: None,
            contact_medium: Some(vec![
                medium(None),
                medium(Some(TimePeriod::between(at(12), at(11)))),
            ]),
        };
        assert_eq!(
            violation_of(&party).path,
            "contactMedium[1].validFor.endDateTime"
        );
    }

    #[test]
    fn the_lowest_index_of_a_list_is_reported() {
        let reversed = Some(TimePeriod::between(at(12), at(11)));
        let party = Party {
            trading_name: "Acme".to_owned(),
            valid_for: None,
            contact_medium: Some(vec![
                medium(None),
                medium(None),
                medium(reversed.clone()),
                Medium {
                    medium_type: String::new(),
                    valid_for: reversed,
                },
            ]),
        };
        assert_eq!(
            violation_of(&party).path,
            "contactMedium[2].validFor.endDateTime"
        );
    }

    #[test]
    fn own_field_errors_come_before_nested_ones() {
        let party = Party {
            trading_name: String::new(),
            valid_for: Some(TimePeriod::between(at(12), at(11))),
            contact_medium: Some(vec![medium(Some(TimePeriod::between(at(12), at(11))))]),
        };
        let violation = violation_of(&party);
        assert_eq!(violation.path, "tradingName");
        assert_eq!(violation.message, "must not be empty");
    }

    #[test]
    fn struct_level_errors_name_the_struct_itself() {
        let mut inner = ValidationErrors::new();
        inner.add(STRUCT_LEVEL, ValidationError::new("custom_rule"));
        let mut outer = ValidationErrors::new();
        outer.errors_mut().insert(
            "valid_for".into(),
            ValidationErrorsKind::Struct(Box::new(inner)),
        );
        let violation = first_violation(&outer);
        assert_eq!(violation.path, "validFor");
        assert_eq!(violation.message, "fails the `custom_rule` rule");
    }

    #[test]
    fn wire_names_are_camel_case() {
        assert_eq!(wire_name("valid_for"), "validFor");
        assert_eq!(
            wire_name("organization_child_relationship"),
            "organizationChildRelationship"
        );
        assert_eq!(wire_name("name"), "name");
        assert_eq!(wire_name("street1"), "street1");
        assert_eq!(wire_name("r#type"), "type");
    }

    #[test]
    fn no_errors_gives_an_empty_path() {
        let violation = first_violation(&ValidationErrors::new());
        assert_eq!(violation.path, "");
        assert_eq!(violation.to_string(), "is invalid");
    }
}
