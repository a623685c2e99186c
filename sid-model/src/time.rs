//! Periods of time.

use std::borrow::Cow;

use crate::extension::Extensions;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError, ValidationErrors};

/// A period of time, either as a deadline (endDateTime only), a startDateTime only, or both.
///
/// Both ends are UTC instants; an offset in the incoming text is converted to UTC.
/// A period whose end is before its start is refused by [`Validate::validate`], which names
/// `endDateTime` as the offending property.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub struct TimePeriod {
    /// Start of the time period.
    pub start_date_time: Option<DateTime<Utc>>,
    /// End of the time period.
    pub end_date_time: Option<DateTime<Utc>>,
    /// Attributes beyond the definition (TMF630 extension pattern), kept as sent.
    #[serde(flatten)]
    pub extensions: Extensions,
}

impl TimePeriod {
    /// A period from `start` with no end.
    pub fn starting(start: DateTime<Utc>) -> Self {
        TimePeriod {
            start_date_time: Some(start),
            end_date_time: None,
            extensions: Extensions::default(),
        }
    }

    /// A period from `start` to `end`; not checked, call [`Validate::validate`] for that.
    pub fn between(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        TimePeriod {
            start_date_time: Some(start),
            end_date_time: Some(end),
            extensions: Extensions::default(),
        }
    }

    /// Whether `instant` falls within the period (both ends included; a missing end is open).
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start_date_time.is_none_or(|start| start <= instant)
            && self.end_date_time.is_none_or(|end| instant <= end)
    }
}

/// Written by hand rather than derived, so that the violation is reported against
/// `endDateTime` rather than against the period as a whole.
impl Validate for TimePeriod {
    fn validate(&self) -> Result<(), ValidationErrors> {
        match (self.start_date_time, self.end_date_time) {
            (Some(start), Some(end)) if end < start => {
                let mut errors = ValidationErrors::new();
                errors.add(
                    "end_date_time",
                    ValidationError::new("time_period_order")
                        .with_message(Cow::Borrowed("must not be before startDateTime")),
                );
                Err(errors)
            }
            _ => Ok(()),
        }
    }
}

crate::wire::object_only_serde!(TimePeriod);

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    /// An instant on a fixed day, at `hour` o'clock (shared with the other tests of the crate).
    pub(crate) fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, hour, 0, 0)
            .single()
            .expect("valid instant")
    }

    #[test]
    fn end_before_start_is_refused_on_end_date_time() {
        let errors = TimePeriod::between(at(12), at(11))
            .validate()
            .expect_err("reversed period");
        assert!(errors.field_errors().contains_key("end_date_time"));
    }

    #[test]
    fn ordered_equal_and_open_periods_are_accepted() {
        assert!(TimePeriod::between(at(11), at(12)).validate().is_ok());
        assert!(TimePeriod::between(at(11), at(11)).validate().is_ok());
        assert!(TimePeriod::starting(at(11)).validate().is_ok());
        assert!(
            TimePeriod {
                start_date_time: None,
                end_date_time: Some(at(1)),
                extensions: Default::default(),
            }
            .validate()
            .is_ok()
        );
        assert!(TimePeriod::default().validate().is_ok());
    }

    #[test]
    fn contains_includes_both_ends() {
        let period = TimePeriod::between(at(10), at(12));
        assert!(period.contains(at(10)));
        assert!(period.contains(at(12)));
        assert!(!period.contains(at(13)));
        assert!(TimePeriod::starting(at(10)).contains(at(23)));
    }

    #[test]
    fn wire_form_uses_camel_case_and_omits_missing_ends() {
        let period = TimePeriod::starting(at(10));
        assert_eq!(
            serde_json::to_value(period).expect("serialise"),
            json!({"startDateTime": "2024-05-01T10:00:00Z"})
        );
        let read: TimePeriod = serde_json::from_value(json!({
            "startDateTime": "2024-05-01T12:00:00+02:00",
            "endDateTime": "2024-05-02T00:00:00Z"
        }))
        .expect("deserialise");
        assert_eq!(read.start_date_time, Some(at(10)));
        let extended: TimePeriod =
            serde_json::from_value(json!({"start": "2024-05-01T10:00:00Z"})).expect("kept");
        assert_eq!(extended.start_date_time, None);
        assert!(extended.extensions.get("start").is_some());
        assert!(serde_json::from_value::<TimePeriod>(json!({"endDateTime": "yesterday"})).is_err());
    }
}
