//! What an operator configures about tickets: the severities and priorities in use, the
//! resolution targets and escalation thresholds per severity, the reopening window, and the
//! largest attachment. Read by the server from its settings (`[tickets]`), checked once at
//! start-up.

use std::collections::BTreeMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};

/// The ticket settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TicketSettings {
    /// The severities a ticket may have (matched without regard to case, stored as written
    /// here).
    pub severities: Vec<String>,
    /// The priorities, lowest first: escalation raises a ticket's priority up this ladder.
    pub priorities: Vec<String>,
    /// The priority a new ticket gets from its severity when the client gives none.
    pub default_priority: BTreeMap<String, String>,
    /// Per severity, the active time (minutes; time pending does not count) at which a ticket
    /// is escalated one level further: the first threshold gives level 1, the second level 2.
    pub escalation_minutes: BTreeMap<String, Vec<u32>>,
    /// Per severity, the resolution target (hours of active time) that gives a new ticket its
    /// `expectedResolutionDate`; the date moves later by the time the ticket spends pending.
    pub resolution_hours: BTreeMap<String, u32>,
    /// How long after its resolution a ticket may be reopened (moved back to `inProgress`).
    pub reopen_window_hours: u32,
    /// How often the escalation job looks at the open tickets.
    pub escalation_interval_secs: u64,
    /// Whether a ticket whose SLA standing (its `slaStanding`, set by the SLA domain) is
    /// `atRisk` or `breached` is escalated at least to level 1, whatever its active time.
    pub escalate_sla_at_risk: bool,
    /// The largest attachment size accepted, in bytes.
    pub max_attachment_bytes: u64,
}

fn by_severity<T: Clone>(values: [T; 3]) -> BTreeMap<String, T> {
    ["Critical", "Major", "Minor"]
        .into_iter()
        .map(str::to_owned)
        .zip(values)
        .collect()
}

impl Default for TicketSettings {
    fn default() -> Self {
        Self {
            severities: vec!["Critical".into(), "Major".into(), "Minor".into()],
            priorities: vec![
                "Low".into(),
                "Medium".into(),
                "High".into(),
                "Critical".into(),
            ],
            default_priority: by_severity(["High".into(), "Medium".into(), "Low".into()]),
            escalation_minutes: by_severity([vec![30, 120], vec![240, 960], vec![1440, 4320]]),
            resolution_hours: by_severity([4, 24, 72]),
            reopen_window_hours: 168,
            escalation_interval_secs: 60,
            escalate_sla_at_risk: true,
            max_attachment_bytes: 25 * 1024 * 1024,
        }
    }
}

impl TicketSettings {
    /// Says what is inconsistent: an unknown severity or priority named in a table,
    /// thresholds out of order, an empty ladder.
    pub fn check(&self) -> Result<(), String> {
        if self.severities.is_empty() || self.priorities.is_empty() {
            return Err("tickets: severities and priorities must not be empty".into());
        }
        let severity_tables = self
            .default_priority
            .keys()
            .chain(self.escalation_minutes.keys())
            .chain(self.resolution_hours.keys());
        for severity in severity_tables {
            if self.severity(severity).is_none() {
                return Err(format!(
                    "tickets: '{severity}' is not one of the severities {}",
                    self.severities.join(", ")
                ));
            }
        }
        for priority in self.default_priority.values() {
            if self.priority(priority).is_none() {
                return Err(format!(
                    "tickets: '{priority}' is not one of the priorities {}",
                    self.priorities.join(", ")
                ));
            }
        }
        for (severity, thresholds) in &self.escalation_minutes {
            if thresholds.windows(2).any(|pair| pair[0] >= pair[1]) {
                return Err(format!(
                    "tickets: the escalation thresholds of '{severity}' must increase"
                ));
            }
        }
        if self.escalation_interval_secs == 0 {
            return Err("tickets: escalation_interval_secs must be at least 1".into());
        }
        Ok(())
    }

    /// The configured spelling of a severity, matched without regard to case.
    pub fn severity(&self, given: &str) -> Option<&str> {
        find(&self.severities, given)
    }

    /// The configured spelling of a priority, matched without regard to case.
    pub fn priority(&self, given: &str) -> Option<&str> {
        find(&self.priorities, given)
    }

    /// The priority a new ticket of `severity` gets.
    pub fn default_priority(&self, severity: &str) -> Option<&str> {
        lookup(&self.default_priority, severity).map(String::as_str)
    }

    /// The escalation thresholds of `severity`, ascending.
    pub fn thresholds(&self, severity: &str) -> Vec<Duration> {
        lookup(&self.escalation_minutes, severity)
            .map(|minutes| {
                minutes
                    .iter()
                    .map(|m| Duration::minutes(i64::from(*m)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The resolution target of `severity`, if one is set.
    pub fn resolution_target(&self, severity: &str) -> Option<Duration> {
        lookup(&self.resolution_hours, severity).map(|hours| Duration::hours(i64::from(*hours)))
    }

    /// The reopening window.
    pub fn reopen_window(&self) -> Duration {
        Duration::hours(i64::from(self.reopen_window_hours))
    }

    /// `priority` raised by `steps` up the ladder, stopping at the top; an unknown priority
    /// starts from the bottom.
    pub fn raise(&self, priority: Option<&str>, steps: usize) -> String {
        let from = priority
            .and_then(|p| {
                self.priorities
                    .iter()
                    .position(|known| known.eq_ignore_ascii_case(p))
            })
            .unwrap_or(0);
        let to = (from + steps).min(self.priorities.len().saturating_sub(1));
        self.priorities.get(to).cloned().unwrap_or_default()
    }
}

fn find<'a>(known: &'a [String], given: &str) -> Option<&'a str> {
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(given.trim()))
        .map(String::as_str)
}

fn lookup<'a, T>(table: &'a BTreeMap<String, T>, severity: &str) -> Option<&'a T> {
    table
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(severity))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_consistent() {
        let settings = TicketSettings::default();
        settings.check().expect("defaults");
        assert_eq!(settings.severity("major"), Some("Major"));
        assert_eq!(settings.priority("HIGH"), Some("High"));
        assert_eq!(settings.default_priority("critical"), Some("High"));
        assert_eq!(
            settings.thresholds("Critical"),
            vec![Duration::minutes(30), Duration::minutes(120)]
        );
    }

    #[test]
    fn raising_climbs_the_ladder_and_stops_at_the_top() {
        let settings = TicketSettings::default();
        assert_eq!(settings.raise(Some("low"), 1), "Medium");
        assert_eq!(settings.raise(Some("High"), 5), "Critical");
        assert_eq!(settings.raise(None, 0), "Low");
    }

    #[test]
    fn inconsistent_settings_are_named() {
        let mut settings = TicketSettings::default();
        settings
            .escalation_minutes
            .insert("Blocker".into(), vec![10]);
        assert!(settings.check().expect_err("refused").contains("Blocker"));
        let mut settings = TicketSettings::default();
        settings
            .escalation_minutes
            .insert("Major".into(), vec![60, 30]);
        assert!(settings.check().expect_err("refused").contains("increase"));
    }
}
