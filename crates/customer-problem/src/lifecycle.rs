//! The TMF621 ticket lifecycle, enforced: which status may follow which is the SID model's
//! table (`sid_model::TroubleTicketStatusType` is a `sid_model::Lifecycle`); here is the one
//! rule with a clock in it (a resolved ticket may be reopened only within a window).

use chrono::{DateTime, Duration, Utc};
use crm_store::lifecycle_error;
use sid_model::TroubleTicketStatusType as Status;
use sid_model::check_move;
use tmf_apis::{TmfError, TmfResult};

/// What a permitted move is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The status stays as it is.
    Stay,
    /// An ordinary move along the lifecycle.
    Advance,
    /// A resolved ticket goes back to work: its resolution is undone.
    Reopen,
}

/// Judges a request to move a ticket from `from` to `to` at `now`; `resolved_at` is when the
/// ticket was resolved, for a reopening, which must come within `window`. An illegal move is
/// a 409 naming the allowed next statuses.
pub fn judge(
    from: Status,
    to: Status,
    resolved_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Duration,
) -> TmfResult<Move> {
    check_move(from, to).map_err(lifecycle_error)?;
    if from == to {
        return Ok(Move::Stay);
    }
    if from == Status::Resolved && to == Status::InProgress {
        let deadline = resolved_at.unwrap_or(now) + window;
        if now > deadline {
            return Err(TmfError::conflict(format!(
                "TroubleTicket cannot be reopened: the reopening window of {} hours after its \
                 resolution ended at {}; open a new ticket and relate it to this one",
                window.num_hours(),
                deadline.to_rfc3339()
            )));
        }
        return Ok(Move::Reopen);
    }
    Ok(Move::Advance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sid_model::Lifecycle;

    fn status() -> impl Strategy<Value = Status> {
        proptest::sample::select(Status::ALL.to_vec())
    }

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::hours(hours)
    }

    /// The lifecycle of the issue, written out as pairs.
    const ALLOWED: [(Status, Status); 13] = [
        (Status::Acknowledged, Status::InProgress),
        (Status::Acknowledged, Status::Rejected),
        (Status::Acknowledged, Status::Cancelled),
        (Status::InProgress, Status::Pending),
        (Status::InProgress, Status::Held),
        (Status::InProgress, Status::Resolved),
        (Status::InProgress, Status::Cancelled),
        (Status::Pending, Status::InProgress),
        (Status::Pending, Status::Cancelled),
        (Status::Held, Status::InProgress),
        (Status::Held, Status::Cancelled),
        (Status::Resolved, Status::Closed),
        (Status::Resolved, Status::InProgress),
    ];

    proptest! {
        #[test]
        fn a_move_is_allowed_exactly_when_the_lifecycle_lists_it(from in status(), to in status()) {
            let verdict = judge(from, to, Some(at(0)), at(1), Duration::hours(24));
            if from == to {
                prop_assert_eq!(verdict.ok(), Some(Move::Stay));
            } else if ALLOWED.contains(&(from, to)) {
                prop_assert!(verdict.is_ok());
            } else {
                let error = verdict.expect_err("refused");
                prop_assert_eq!(error.status().as_u16(), 409);
                prop_assert!(error.message.contains(from.as_str()));
            }
        }

        #[test]
        fn reopening_is_possible_only_within_the_window(elapsed in 0i64..400, window in 1i64..200) {
            let verdict = judge(
                Status::Resolved,
                Status::InProgress,
                Some(at(0)),
                at(elapsed),
                Duration::hours(window),
            );
            if elapsed <= window {
                prop_assert_eq!(verdict.ok(), Some(Move::Reopen));
            } else {
                prop_assert!(verdict.expect_err("too late").message.contains("reopening window"));
            }
        }
    }

    #[test]
    fn resolution_comes_only_from_work_in_progress() {
        for from in Status::ALL {
            assert_eq!(
                from.next().contains(&Status::Resolved),
                from == Status::InProgress,
                "{from}"
            );
        }
    }
}
