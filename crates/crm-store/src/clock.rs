//! Time as the domains see it: one `Clock` handed to whatever reads "now" for a business rule
//! (a ticket's age, its escalation), so that tests can move time forward instead of waiting.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// The source of "now" for business rules.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system's clock shifted by an offset that only grows: time runs as usual and can be
/// moved forward at will, for tests of timed behaviour (escalation after hours of age).
#[derive(Debug, Default)]
pub struct ShiftedClock {
    offset_micros: AtomicI64,
}

impl ShiftedClock {
    /// Moves the clock forward by `by` (a negative duration is ignored: time never goes back).
    pub fn advance(&self, by: Duration) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX).max(0);
        self.offset_micros.fetch_add(micros, Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::microseconds(self.offset_micros.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_moves_forward_only() {
        let clock = ShiftedClock::default();
        let before = clock.now();
        clock.advance(Duration::hours(3));
        clock.advance(Duration::hours(-10));
        let after = clock.now();
        assert!(after - before >= Duration::hours(3));
        assert!(after - before < Duration::hours(3) + Duration::minutes(1));
    }
}
