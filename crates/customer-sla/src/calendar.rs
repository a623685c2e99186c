//! Business hours: an SLA may say that its duration targets count only working time, with
//! its extension attribute `businessHours`:
//!
//! ```json
//! {"timeZone": "Europe/Paris", "workingDays": ["mon", "tue", "wed", "thu", "fri"],
//!  "startTime": "08:00", "endTime": "18:00", "holiday": ["2026-12-25"]}
//! ```
//!
//! `timeZone` is an IANA zone; `workingDays` three-letter English day names (all seven when
//! absent); `startTime` before `endTime`, both `HH:MM` local time (on a day the clocks change,
//! a time they skip is taken an hour later, and a repeated one at its first occurrence);
//! `holiday` local dates not worked.
//! Without it, every minute counts.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::Value as Json;

/// The working time of an SLA.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessHours {
    zone: Tz,
    days: Vec<Weekday>,
    start: NaiveTime,
    end: NaiveTime,
    holidays: Vec<NaiveDate>,
}

/// Why a `businessHours` is refused: the attribute and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    /// The attribute (`businessHours.timeZone`).
    pub attribute: String,
    /// What is wrong.
    pub reason: String,
}

fn refused(attribute: &str, reason: impl Into<String>) -> CalendarError {
    CalendarError {
        attribute: format!("businessHours.{attribute}"),
        reason: reason.into(),
    }
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name.to_ascii_lowercase().as_str() {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

impl BusinessHours {
    /// Reads an SLA's `businessHours`.
    pub fn read(value: &Json) -> Result<Self, CalendarError> {
        let text = |name: &str| value.get(name).and_then(Json::as_str);
        let zone: Tz = text("timeZone")
            .ok_or_else(|| refused("timeZone", "an IANA time zone is required"))?
            .parse()
            .map_err(|_| refused("timeZone", "not an IANA time zone (Europe/Paris, say)"))?;
        let time = |name: &str| {
            let given = text(name).ok_or_else(|| refused(name, "required, HH:MM"))?;
            NaiveTime::parse_from_str(given, "%H:%M")
                .map_err(|_| refused(name, format!("'{given}' is not HH:MM")))
        };
        let (start, end) = (time("startTime")?, time("endTime")?);
        if end <= start {
            return Err(refused("endTime", "not after startTime"));
        }
        let days = match value.get("workingDays") {
            None => vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ],
            Some(Json::Array(names)) => names
                .iter()
                .map(|name| {
                    name.as_str().and_then(weekday).ok_or_else(|| {
                        refused("workingDays", format!("{name} is not one of mon … sun"))
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(refused("workingDays", "a list of day names")),
        };
        let holidays = match value.get("holiday") {
            None => Vec::new(),
            Some(Json::Array(dates)) => dates
                .iter()
                .map(|date| {
                    date.as_str()
                        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                        .ok_or_else(|| {
                            refused("holiday", format!("{date} is not a YYYY-MM-DD date"))
                        })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(refused("holiday", "a list of dates")),
        };
        Ok(Self {
            zone,
            days,
            start,
            end,
            holidays,
        })
    }

    /// The working window of the local day `day`, in UTC; `None` on a day not worked.
    fn window(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.days.contains(&day.weekday()) || self.holidays.contains(&day) {
            return None;
        }
        // A time the clocks skip (a change to summer time) is taken an hour later.
        let at = |time: NaiveTime| {
            let local = day.and_time(time);
            self.zone
                .from_local_datetime(&local)
                .earliest()
                .or_else(|| {
                    self.zone
                        .from_local_datetime(&(local + Duration::hours(1)))
                        .earliest()
                })
                .map(|local| local.with_timezone(&Utc))
        };
        Some((at(self.start)?, at(self.end)?))
    }

    fn local_day(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// The working time between `from` and `to`.
    pub fn working_time(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        let mut total = Duration::zero();
        let mut day = self.local_day(from);
        let last = self.local_day(to);
        while day <= last {
            if let Some((open, close)) = self.window(day) {
                let (a, b) = (open.max(from), close.min(to));
                if b > a {
                    total += b - a;
                }
            }
            let Some(next) = day.succ_opt() else {
                break;
            };
            day = next;
        }
        total
    }

    /// The instant at which `amount` of working time has passed since `from`: `from` itself
    /// for nothing; `None` when the calendar works less than that within ten years.
    pub fn after_working(&self, from: DateTime<Utc>, amount: Duration) -> Option<DateTime<Utc>> {
        if amount <= Duration::zero() {
            return Some(from);
        }
        let mut left = amount;
        let mut day = self.local_day(from);
        let last = day + Duration::days(3660);
        while day <= last {
            if let Some((open, close)) = self.window(day) {
                let start = open.max(from);
                if close > start {
                    if close - start >= left {
                        return Some(start + left);
                    }
                    left -= close - start;
                }
            }
            day = day.succ_opt()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("a time")
    }

    fn paris() -> BusinessHours {
        BusinessHours::read(&json!({"timeZone": "Europe/Paris",
            "workingDays": ["mon", "tue", "wed", "thu", "fri"],
            "startTime": "08:00", "endTime": "18:00", "holiday": ["2026-12-25"]}))
        .expect("a calendar")
    }

    #[test]
    fn only_working_hours_of_working_days_count() {
        let hours = paris();
        // Friday 4 December 2026, 16:00 Paris (15:00 UTC) to Monday 09:00 Paris: 2 h + 1 h.
        assert_eq!(
            hours.working_time(at("2026-12-04T15:00:00Z"), at("2026-12-07T08:00:00Z")),
            Duration::hours(3)
        );
        // Within one working day.
        assert_eq!(
            hours.working_time(at("2026-12-08T09:00:00Z"), at("2026-12-08T10:30:00Z")),
            Duration::minutes(90)
        );
        // At night: nothing.
        assert_eq!(
            hours.working_time(at("2026-12-08T18:00:00Z"), at("2026-12-09T06:00:00Z")),
            Duration::zero()
        );
        // Christmas is a holiday: Thursday 24 (18:00 UTC end = 19:00 Paris) to Saturday.
        assert_eq!(
            hours.working_time(at("2026-12-24T16:00:00Z"), at("2026-12-26T12:00:00Z")),
            Duration::hours(1)
        );
    }

    #[test]
    fn a_due_time_is_found_in_working_time() {
        let hours = paris();
        // Friday 17:00 in Paris (16:00 UTC) and two working hours: Monday 09:00.
        let friday = at("2026-12-04T16:00:00Z");
        assert_eq!(
            hours.after_working(friday, Duration::hours(2)),
            Some(at("2026-12-07T08:00:00Z"))
        );
        // Christmas is a holiday: Thursday 17:00 and two working hours is Monday 09:00.
        assert_eq!(
            hours.after_working(at("2026-12-24T16:00:00Z"), Duration::hours(2)),
            Some(at("2026-12-28T08:00:00Z"))
        );
        assert_eq!(hours.after_working(friday, Duration::zero()), Some(friday));
        // The inverse of the working time, whatever the start and the amount.
        for start_hour in 0..48 {
            let from = at("2026-12-03T00:00:00Z") + Duration::minutes(start_hour * 37);
            for minutes in [1, 59, 60, 600, 601, 3000, 10_000] {
                let amount = Duration::minutes(minutes);
                let due = hours.after_working(from, amount).expect("a due time");
                assert_eq!(hours.working_time(from, due), amount, "{from} + {minutes}");
                // … and the first instant it is reached.
                assert!(hours.working_time(from, due - Duration::seconds(1)) < amount);
            }
        }
        let never = BusinessHours::read(&json!({"timeZone": "UTC", "workingDays": [],
            "startTime": "08:00", "endTime": "09:00"}))
        .expect("a calendar");
        assert_eq!(never.after_working(friday, Duration::hours(1)), None);
    }

    #[test]
    fn a_change_of_clocks_counts_what_the_clock_shows() {
        let hours = BusinessHours::read(&json!({"timeZone": "Europe/Paris",
            "startTime": "00:00", "endTime": "23:59"}))
        .expect("a calendar");
        // Sunday 29 March 2026: 02:00 → 03:00 Paris; the day has 23 hours.
        let day = hours.working_time(at("2026-03-28T23:00:00Z"), at("2026-03-29T22:00:00Z"));
        assert_eq!(day, Duration::hours(23) - Duration::minutes(1));
    }

    #[test]
    fn a_window_opening_in_a_skipped_hour_opens_when_the_clocks_go_on() {
        // Paris, Sunday 29 March 2026: 02:30 does not exist; the window 02:30-04:00 opens at
        // 03:30 summer time (01:30 UTC) and closes at 04:00 (02:00 UTC).
        let hours = BusinessHours::read(&json!({"timeZone": "Europe/Paris",
            "startTime": "02:30", "endTime": "04:00"}))
        .expect("a calendar");
        assert_eq!(
            hours.working_time(at("2026-03-28T22:00:00Z"), at("2026-03-29T12:00:00Z")),
            Duration::hours(1) - Duration::minutes(30)
        );
    }

    #[test]
    fn a_calendar_that_does_not_read_is_refused_naming_what() {
        for (body, attribute) in [
            (
                json!({"startTime": "08:00", "endTime": "18:00"}),
                "timeZone",
            ),
            (
                json!({"timeZone": "Mars/Olympus", "startTime": "08:00", "endTime": "18:00"}),
                "timeZone",
            ),
            (
                json!({"timeZone": "UTC", "startTime": "8 am", "endTime": "18:00"}),
                "startTime",
            ),
            (
                json!({"timeZone": "UTC", "startTime": "18:00", "endTime": "08:00"}),
                "endTime",
            ),
            (
                json!({"timeZone": "UTC", "startTime": "08:00", "endTime": "18:00", "workingDays": ["monday"]}),
                "workingDays",
            ),
            (
                json!({"timeZone": "UTC", "startTime": "08:00", "endTime": "18:00", "holiday": ["25/12"]}),
                "holiday",
            ),
        ] {
            let error = BusinessHours::read(&body).expect_err("refused");
            assert_eq!(
                error.attribute,
                format!("businessHours.{attribute}"),
                "{body}"
            );
        }
    }
}
